CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE VIEW item_prices AS SELECT id, price::float8 AS price FROM items;
CREATE FUNCTION item_prices_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO items (id, price) VALUES (NEW.id, NEW.price); RETURN NEW; END $$;
CREATE TRIGGER item_prices_ins INSTEAD OF INSERT ON item_prices FOR EACH ROW EXECUTE FUNCTION item_prices_ins();
