CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION cheap(lim numeric) RETURNS TABLE (id int, price numeric, qty int) LANGUAGE sql STABLE AS 'SELECT id, price, qty FROM public.items WHERE price < lim';
