CREATE TABLE orders (
    id bigint PRIMARY KEY,
    total numeric(12,2) NOT NULL,
    status text NOT NULL
);

CREATE VIEW order_summary AS
    SELECT id, total, status FROM orders;

COMMENT ON VIEW order_summary IS 'Dashboard source';
COMMENT ON COLUMN order_summary.total IS 'Gross';
