CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
GRANT ALL ON items TO sec_admin;
