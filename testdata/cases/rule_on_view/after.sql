CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, hidden boolean NOT NULL DEFAULT false);
CREATE VIEW visible_items AS SELECT id, name, length(name) AS name_length FROM items WHERE NOT hidden;

CREATE RULE visible_items_insert AS ON INSERT TO visible_items
  DO INSTEAD INSERT INTO items (id, name) VALUES (new.id, new.name);
CREATE RULE visible_items_delete AS ON DELETE TO visible_items
  DO INSTEAD UPDATE items SET hidden = true WHERE items.id = old.id;
COMMENT ON RULE visible_items_delete ON visible_items IS 'deleting hides';
