CREATE TABLE orders (
    id bigint PRIMARY KEY,
    total numeric(12,2) NOT NULL,
    status text NOT NULL
);

CREATE INDEX orders_status_idx ON orders (status, total DESC);
COMMENT ON INDEX orders_status_idx IS 'Back-office filter';
