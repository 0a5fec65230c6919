CREATE TABLE a (id int);
CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT ON items TO sec_reader;
GRANT UPDATE (name) ON items TO sec_writer;
