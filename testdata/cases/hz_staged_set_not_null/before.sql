CREATE TABLE events (id bigint PRIMARY KEY, tenant_id integer);
INSERT INTO events SELECT g, g % 7 FROM generate_series(1, 20000) g;
ANALYZE events;
