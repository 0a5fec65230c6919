CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW new_orders AS
    SELECT id, customer_id, total, status FROM orders WHERE status = 'new'
    WITH CASCADED CHECK OPTION;

CREATE VIEW big_new_orders WITH (security_invoker = true) AS
    SELECT id, customer_id, total, status FROM new_orders WHERE total > 100
    WITH CASCADED CHECK OPTION;
