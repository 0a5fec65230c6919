CREATE TABLE events (id bigint PRIMARY KEY, tenant_id integer);
