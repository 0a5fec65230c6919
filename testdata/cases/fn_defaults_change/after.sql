CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION price_with_tax(p numeric, rate numeric DEFAULT 0.2) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT p * (1 + rate)';
