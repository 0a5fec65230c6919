CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW paid_orders AS
    SELECT id, customer_id, total FROM orders WHERE status = 'paid';
