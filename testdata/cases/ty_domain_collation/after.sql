CREATE TABLE items (id integer PRIMARY KEY);
CREATE DOMAIN ctext AS text COLLATE "C";
