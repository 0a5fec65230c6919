CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE PROCEDURE restock(item int, n int DEFAULT 10) LANGUAGE plpgsql AS $$ BEGIN UPDATE items SET qty = qty + n, updated_at = now() WHERE id = item; END $$;
CREATE PROCEDURE noop() LANGUAGE sql AS $$ SELECT 1 $$;
