CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION slow() RETURNS int LANGUAGE sql SET work_mem = '128MB' AS 'SELECT 1';
