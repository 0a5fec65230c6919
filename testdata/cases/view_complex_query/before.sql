CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL,
    items jsonb NOT NULL DEFAULT '[]',
    placed_at timestamptz NOT NULL
);
