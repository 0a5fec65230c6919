CREATE TABLE sales (id integer PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW totals AS SELECT sum(amount) AS total FROM sales;
COMMENT ON MATERIALIZED VIEW totals IS 'grand total';
COMMENT ON COLUMN totals.total IS 'sum of all sales';
