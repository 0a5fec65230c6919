CREATE TABLE events (
    id integer PRIMARY KEY,
    tenant_id bigint NOT NULL,
    kind text NOT NULL
);
