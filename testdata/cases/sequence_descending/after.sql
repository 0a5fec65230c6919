CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    tenant_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE SEQUENCE countdown_seq INCREMENT BY -1 MINVALUE -1000 MAXVALUE 0 START 0;
