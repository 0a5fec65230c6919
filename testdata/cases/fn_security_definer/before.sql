CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION bump(i int) RETURNS void LANGUAGE sql AS 'UPDATE public.items SET qty = qty + 1 WHERE id = i';
