CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT (id, price) ON items TO sec_reader;
GRANT INSERT (name, price) ON items TO sec_writer WITH GRANT OPTION;
