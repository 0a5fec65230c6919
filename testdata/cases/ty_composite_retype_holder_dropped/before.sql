CREATE TYPE addr AS (street text, zip varchar(5));
CREATE TABLE cust (id int PRIMARY KEY, home addr, old_homes addr[]);
CREATE TABLE legacy (id int, home addr);
