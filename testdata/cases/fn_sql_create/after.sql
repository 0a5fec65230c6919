CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION item_total(p numeric, q int) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * q $$;
