CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE items_log (item_id int NOT NULL, old_price numeric(10,2), new_price numeric(10,2), changed_at timestamptz NOT NULL DEFAULT now());
