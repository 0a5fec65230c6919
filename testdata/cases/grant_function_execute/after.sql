CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
REVOKE EXECUTE ON FUNCTION add_one(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add_one(integer) TO sec_reader;
