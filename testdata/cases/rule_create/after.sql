CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE items_log (item_id int NOT NULL, old_price numeric(10,2), new_price numeric(10,2), changed_at timestamptz NOT NULL DEFAULT now());

CREATE RULE items_no_delete AS ON DELETE TO items DO INSTEAD NOTHING;
CREATE RULE items_log_price AS ON UPDATE TO items
  WHERE old.price IS DISTINCT FROM new.price
  DO ALSO INSERT INTO items_log (item_id, old_price, new_price) VALUES (old.id, old.price, new.price);
