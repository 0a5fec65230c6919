CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT (random() * 1000)::bigint';
CREATE TABLE codes (id int PRIMARY KEY, code int DEFAULT next_code());
CREATE VIEW code_preview AS SELECT next_code() AS sample;
COMMENT ON VIEW code_preview IS 'preview';
