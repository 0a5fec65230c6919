CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE VIEW top_customers AS
    WITH totals AS (SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id)
    SELECT c.id, c.name, t.spent FROM customers c JOIN totals t ON t.customer_id = c.id
    ORDER BY t.spent DESC LIMIT 10;
