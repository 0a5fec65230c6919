CREATE TABLE people (id int PRIMARY KEY, name text);
CREATE FUNCTION everyone() RETURNS SETOF people LANGUAGE sql STABLE AS 'SELECT * FROM public.people';
CREATE FUNCTION greet(p people) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'hi ' || p.name $$;
