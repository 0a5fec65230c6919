CREATE TYPE status AS ENUM ('new', 'old');
CREATE FUNCTION is_new(s status) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s = 'new' $$;
