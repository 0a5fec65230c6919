CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    full_name   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_key UNIQUE (email),
    CONSTRAINT customers_email_format CHECK (email LIKE '%@%')
);

COMMENT ON TABLE customers IS 'People who can place orders.';
CREATE INDEX customers_created_at_idx ON customers (created_at);
