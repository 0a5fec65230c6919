CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT ON items TO sec_reader;
