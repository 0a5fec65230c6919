CREATE TABLE events (
    tenant text NOT NULL,
    id bigint NOT NULL,
    body text,
    CHECK (id > 0)
) PARTITION BY LIST (tenant);
CREATE TABLE events_acme PARTITION OF events FOR VALUES IN ('acme');
CREATE UNIQUE INDEX events_tenant_id ON events (tenant, id);
INSERT INTO events VALUES ('acme', 1, 'x');
