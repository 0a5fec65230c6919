CREATE SCHEMA app;

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.audit_log (
    id bigserial PRIMARY KEY,
    actor_id bigint REFERENCES public.users (id),
    action text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
