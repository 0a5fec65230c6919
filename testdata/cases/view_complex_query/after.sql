CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL,
    items jsonb NOT NULL DEFAULT '[]',
    placed_at timestamptz NOT NULL
);

CREATE VIEW customer_stats AS
    SELECT customer_id,
           count(*) AS orders,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           sum(total) AS revenue,
           CASE WHEN sum(total) > 10000 THEN 'gold' WHEN sum(total) > 1000 THEN 'silver' ELSE 'bronze' END AS tier
    FROM orders
    GROUP BY customer_id
    HAVING count(*) > 0;

CREATE VIEW ranked_orders AS
    SELECT id, customer_id, total,
           row_number() OVER (PARTITION BY customer_id ORDER BY placed_at DESC) AS recency,
           sum(total) OVER w AS running_total
    FROM orders
    WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE VIEW latest_order_per_customer AS
    SELECT DISTINCT ON (customer_id) customer_id, id, placed_at
    FROM orders
    ORDER BY customer_id, placed_at DESC;

CREATE VIEW order_lines AS
    SELECT o.id, item.value ->> 'sku' AS sku, (item.value ->> 'qty')::integer AS qty
    FROM orders o
    CROSS JOIN LATERAL jsonb_array_elements(o.items) AS item(value)
    WHERE o.status IN ('paid', 'shipped');
