CREATE TYPE addr AS (street text, city text);
CREATE TYPE tag AS (k text, v text);
CREATE TABLE cust (id integer PRIMARY KEY, home addr, tags tag[]);
