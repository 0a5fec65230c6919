CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION stock_of(item int) RETURNS int LANGUAGE plpgsql STABLE AS $$
DECLARE n int;
BEGIN
  SELECT qty INTO n FROM items WHERE id = item;
  RETURN coalesce(n, 0);
END
$$;
