CREATE TABLE docs (id int PRIMARY KEY, tags text[]);
CREATE FUNCTION ci_eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) = lower(b) $$;
CREATE FUNCTION ci_ne(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) <> lower(b) $$;
