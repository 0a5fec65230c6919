CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION acc(s int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT s + v';
CREATE AGGREGATE total(int) (SFUNC = acc, STYPE = int, INITCOND = '0');
CREATE VIEW item_qty AS SELECT total(qty) AS q FROM items;
