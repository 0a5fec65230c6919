CREATE TABLE sales (id integer PRIMARY KEY, region varchar(20) NOT NULL, amount numeric NOT NULL);
CREATE MATERIALIZED VIEW regions AS SELECT DISTINCT region FROM sales;
