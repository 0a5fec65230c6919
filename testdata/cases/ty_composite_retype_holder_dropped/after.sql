CREATE TYPE addr AS (street text, zip varchar(10));
CREATE TABLE cust (id int PRIMARY KEY);
