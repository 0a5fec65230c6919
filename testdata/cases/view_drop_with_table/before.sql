CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refunds (
    id bigint PRIMARY KEY,
    order_id bigint NOT NULL,
    amount numeric(12,2) NOT NULL
);

CREATE VIEW refund_totals AS
    SELECT order_id, sum(amount) AS refunded FROM refunds GROUP BY order_id;
