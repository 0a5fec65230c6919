CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW order_summary AS
    SELECT id, total FROM orders;
COMMENT ON VIEW order_summary IS 'Used by the dashboard';
COMMENT ON COLUMN order_summary.total IS 'Gross, tax included';
