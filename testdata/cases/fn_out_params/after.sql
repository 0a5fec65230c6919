CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION stats(OUT n bigint, OUT total numeric, OUT max_price numeric) LANGUAGE sql STABLE AS 'SELECT count(*), sum(price), max(price) FROM public.items';
