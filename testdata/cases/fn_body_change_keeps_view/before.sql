CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION discounted(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT p * 0.9';
CREATE VIEW sale AS SELECT id, discounted(price) AS price FROM items;
