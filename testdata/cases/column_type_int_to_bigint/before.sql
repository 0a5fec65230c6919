CREATE TABLE events (
    id integer PRIMARY KEY,
    tenant_id integer NOT NULL,
    kind text NOT NULL
);
