CREATE SCHEMA app;
CREATE FUNCTION app."Mixed Case"(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT n';
CREATE FUNCTION app.uses_other(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT app."Mixed Case"(n) + 1';
