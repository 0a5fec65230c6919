CREATE TABLE events (
    tenant text NOT NULL,
    id bigint NOT NULL,
    body text,
    CHECK (id > 0)
) PARTITION BY LIST (tenant);
CREATE TABLE events_acme PARTITION OF events FOR VALUES IN ('acme');
-- A new partition with a key of its own, which backs the parent's index.
CREATE TABLE events_globex PARTITION OF events (
    CONSTRAINT events_globex_key UNIQUE (tenant, id)
) FOR VALUES IN ('globex');
CREATE UNIQUE INDEX events_tenant_id ON events (tenant, id);
