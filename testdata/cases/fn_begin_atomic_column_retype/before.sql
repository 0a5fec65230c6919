CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION max_qty() RETURNS int LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT max(qty) FROM items;
END;
