CREATE TABLE sales (id integer PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
CREATE VIEW eu_sales AS SELECT * FROM sales WHERE region = 'eu';
CREATE MATERIALIZED VIEW eu_totals AS SELECT sum(amount) AS total FROM eu_sales;
CREATE MATERIALIZED VIEW eu_totals_x2 AS SELECT total * 2 AS double_total FROM eu_totals;
