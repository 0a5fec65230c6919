CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION label(x int) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''int:'' || x';
CREATE FUNCTION label(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''text:'' || x';
