CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT (id, name) ON items TO sec_reader;
GRANT UPDATE (price) ON items TO sec_writer;
