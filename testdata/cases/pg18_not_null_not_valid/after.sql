CREATE TABLE events (id bigint PRIMARY KEY, tenant_id integer);
ALTER TABLE events ADD CONSTRAINT events_tenant_nn NOT NULL tenant_id NOT VALID;
