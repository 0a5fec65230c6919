CREATE TYPE pair AS (a integer, b integer);
-- The cast's function is replaced by another one, and the cast made
-- implicit: a cast cannot be altered, so it is created again.
CREATE FUNCTION pair_label(p pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT p.a || '/' || p.b $$;
CREATE CAST (pair AS text) WITH FUNCTION pair_label(pair) AS IMPLICIT;
