CREATE TABLE customers (
    id bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id)
);

COMMENT ON CONSTRAINT orders_customer_id_fkey ON orders IS 'Validated after the backfill';
