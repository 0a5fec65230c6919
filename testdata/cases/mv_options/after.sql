CREATE TABLE sales (id integer PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW regions WITH (fillfactor = 50) AS SELECT DISTINCT region FROM sales;
