CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT, INSERT, UPDATE ON items TO sec_writer;
GRANT SELECT ON items TO sec_reader;
