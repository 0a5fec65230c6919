CREATE DOMAIN pct AS integer;
ALTER DOMAIN pct ADD CONSTRAINT pct_check CHECK (VALUE >= 0 AND VALUE <= 99) NOT VALID;
CREATE TYPE pair AS (a pct, b pct);
CREATE TABLE s (id integer PRIMARY KEY, arr pct[], pr pair);
