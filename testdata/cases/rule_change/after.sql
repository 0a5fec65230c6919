CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL);
CREATE TABLE items_log (item_id int NOT NULL, price numeric(10,2));

CREATE OR REPLACE RULE items_log_price AS ON UPDATE TO items
  WHERE old.price <> new.price
  DO ALSO INSERT INTO items_log (item_id, price) VALUES (new.id, new.price);
COMMENT ON RULE items_log_price ON items IS 'logs each new price';
