CREATE SCHEMA app;

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    actor_id bigint REFERENCES users (id),
    action text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
