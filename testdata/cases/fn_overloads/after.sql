CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION label(x int) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''integer:'' || x';
CREATE FUNCTION label(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''text:'' || x';
CREATE FUNCTION label(x numeric, y numeric) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT x || ''/'' || y';
