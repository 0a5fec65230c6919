CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    tenant_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE SEQUENCE order_number_seq;
CREATE SEQUENCE small_counter AS smallint INCREMENT BY 2 MINVALUE 10 MAXVALUE 30000 START 10 CACHE 5 CYCLE;
