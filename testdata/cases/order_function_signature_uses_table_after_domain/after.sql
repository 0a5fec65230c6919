-- Declared in the reverse of the order they must be created in.
CREATE FUNCTION user_label(u users) RETURNS text LANGUAGE sql STABLE AS $$ SELECT u.mail::text $$;
CREATE TABLE users (id integer PRIMARY KEY, mail email);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE misc (id integer PRIMARY KEY);
