CREATE TABLE items (id int PRIMARY KEY, name text);
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM items $$;
-- pg_dump output run by a superuser: another role owns the objects, and
-- the superuser (here the migrating role) holds explicit grants on them.
ALTER TABLE items OWNER TO sec_admin;
ALTER FUNCTION item_count() OWNER TO sec_admin;
GRANT SELECT ON items TO CURRENT_USER WITH GRANT OPTION;
GRANT INSERT, UPDATE ON items TO CURRENT_USER;
GRANT EXECUTE ON FUNCTION item_count() TO CURRENT_USER WITH GRANT OPTION;
GRANT SELECT ON items TO sec_reader;
