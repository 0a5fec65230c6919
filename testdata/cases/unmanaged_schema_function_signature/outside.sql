CREATE SCHEMA utils;
CREATE DOMAIN utils.posint AS integer CHECK (VALUE > 0);
CREATE TYPE utils.pair AS (a int, b text);
CREATE FUNCTION utils.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
