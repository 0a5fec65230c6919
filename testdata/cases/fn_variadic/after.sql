CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION greatest_of(VARIADIC xs int[]) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT max(x) FROM unnest(xs) AS x WHERE x IS NOT NULL';
