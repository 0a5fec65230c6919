CREATE SCHEMA app;

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW app.daily_revenue AS
    SELECT date_trunc('day', placed_at) AS day, sum(total) AS revenue
    FROM public.orders GROUP BY 1;
