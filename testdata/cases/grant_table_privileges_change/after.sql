CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT, DELETE, TRUNCATE ON items TO sec_writer;
GRANT SELECT, REFERENCES, TRIGGER ON items TO sec_reader;
