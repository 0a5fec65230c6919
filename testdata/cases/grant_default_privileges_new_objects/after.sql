-- Declared before the default privileges (as a dump declares them, last):
-- the objects do not have them, though the live database creating them
-- already does.
CREATE TABLE items (id int);
CREATE VIEW item_ids AS SELECT id FROM items;
CREATE FUNCTION open_total() RETURNS int LANGUAGE sql AS 'SELECT 1';
-- Identity arguments longer than a PostgreSQL name (63 bytes).
CREATE FUNCTION item_total(first_item_identifier integer, second_item_identifier integer, label text)
RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION item_total(integer, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION item_total(integer, integer, text) TO sec_writer;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO sec_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
