CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
COMMENT ON FUNCTION twice(int) IS 'multiplies by two';
CREATE PROCEDURE noop() LANGUAGE sql AS 'SELECT 1';
COMMENT ON PROCEDURE noop() IS 'does nothing';
