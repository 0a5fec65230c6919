-- A domain whose CHECK calls a function: the function is created first,
-- and dropped after the domain.
CREATE FUNCTION is_slug(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s ~ '^[a-z0-9-]+$' $$;
CREATE DOMAIN slug AS text CHECK (is_slug(VALUE));
CREATE TABLE notes (id integer PRIMARY KEY, handle slug);
