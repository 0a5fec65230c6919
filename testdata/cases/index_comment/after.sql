CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    tenant_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE INDEX users_created_idx ON users (created_at);
COMMENT ON INDEX users_created_idx IS 'For the admin activity page';
