CREATE DOMAIN pct AS integer;
CREATE TYPE pair AS (a pct, b pct);
CREATE TABLE s (id integer PRIMARY KEY, arr pct[], pr pair);
