CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM items;
END;
CREATE FUNCTION expensive(lim numeric) RETURNS SETOF int LANGUAGE sql STABLE
RETURN (SELECT max(id) FROM items WHERE price > lim);
