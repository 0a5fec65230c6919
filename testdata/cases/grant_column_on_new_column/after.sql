CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text, note text);
GRANT SELECT (note) ON items TO sec_reader;
