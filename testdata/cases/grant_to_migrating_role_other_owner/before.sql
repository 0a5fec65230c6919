CREATE TABLE items (id int PRIMARY KEY, name text);
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM items $$;
