CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, hidden boolean NOT NULL DEFAULT false);
CREATE VIEW visible_items AS SELECT id, name, length(name) AS name_length FROM items WHERE NOT hidden;
