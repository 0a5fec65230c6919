CREATE TYPE addr AS (street text, zip varchar(5), city text);
CREATE TABLE cust (id integer PRIMARY KEY, home addr, old addr[]);
