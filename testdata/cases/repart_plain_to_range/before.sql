CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  placed date NOT NULL,
  total numeric(10,2),
  PRIMARY KEY (id, placed)
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
COMMENT ON TABLE orders IS 'one row per order';
CREATE TABLE order_notes (order_id bigint NOT NULL, placed date NOT NULL, note text,
  CONSTRAINT order_notes_order_fkey FOREIGN KEY (order_id, placed) REFERENCES orders (id, placed));
CREATE VIEW big_orders AS SELECT id, placed, total FROM orders WHERE total > 100;
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_recent ON orders USING (placed > '2000-01-01');
CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_touch();
GRANT SELECT ON orders TO PUBLIC;
INSERT INTO customers VALUES (1, 'ada'), (2, 'bob');
INSERT INTO orders (customer_id, placed, total) VALUES (1, '2024-03-01', 150), (2, '2025-06-01', 20), (1, '2025-07-01', 300);
INSERT INTO order_notes VALUES (1, '2024-03-01', 'gift');
ANALYZE;
