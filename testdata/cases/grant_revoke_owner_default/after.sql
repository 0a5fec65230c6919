CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, secret text);
REVOKE TRUNCATE ON items FROM CURRENT_USER;
