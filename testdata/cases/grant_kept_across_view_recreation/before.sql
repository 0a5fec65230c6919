CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 10;
GRANT SELECT ON cheap TO sec_reader;
