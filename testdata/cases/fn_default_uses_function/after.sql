CREATE FUNCTION ticket_code() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'T-' || floor(random() * 100000)::int $$;
CREATE TABLE tickets (id int PRIMARY KEY, code text NOT NULL DEFAULT ticket_code());
