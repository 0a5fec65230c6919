CREATE TYPE addr AS (street text);
CREATE TYPE tag AS (k text);
CREATE TABLE cust (id integer PRIMARY KEY, home addr, tags tag[]);
