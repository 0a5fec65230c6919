CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION ids() RETURNS SETOF int LANGUAGE sql STABLE PARALLEL SAFE COST 500 ROWS 20 AS 'SELECT id FROM public.items';
