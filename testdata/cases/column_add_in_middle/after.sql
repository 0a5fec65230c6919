CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle text,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
