CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE PROCEDURE restock(item int, n int) LANGUAGE plpgsql AS $$ BEGIN UPDATE items SET qty = qty + n WHERE id = item; END $$;
