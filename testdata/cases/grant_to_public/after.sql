CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT SELECT, INSERT ON items TO PUBLIC;
