CREATE TYPE pair AS (a integer, b integer);
CREATE FUNCTION pair_text(pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1.a || ',' || $1.b $$;
