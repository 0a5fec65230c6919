CREATE TABLE sales (id integer PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW big_sales AS SELECT id, region, amount FROM sales WHERE amount > 1000;
CREATE INDEX big_sales_region ON big_sales (region);
