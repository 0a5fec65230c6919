CREATE TABLE orders (
    id bigint PRIMARY KEY,
    total numeric(12,2) NOT NULL,
    status text NOT NULL,
    CONSTRAINT orders_total_check CHECK (total >= 0 AND total < 1000000)
);

COMMENT ON CONSTRAINT orders_total_check ON orders IS 'No negative orders';
