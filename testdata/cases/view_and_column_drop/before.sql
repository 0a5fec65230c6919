CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    internal_note text,
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW order_admin AS
    SELECT id, total, internal_note FROM orders;
