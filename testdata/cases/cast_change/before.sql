CREATE TYPE pair AS (a integer, b integer);
CREATE FUNCTION pair_text(pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1.a || ',' || $1.b $$;
CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair);
