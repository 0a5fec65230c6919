CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL);
CREATE TABLE items_log (item_id int NOT NULL, price numeric(10,2));

CREATE RULE items_log_price AS ON UPDATE TO items
  DO ALSO INSERT INTO items_log (item_id, price) VALUES (old.id, old.price);
