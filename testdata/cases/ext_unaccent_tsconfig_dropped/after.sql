CREATE TABLE keep (id int PRIMARY KEY);
CREATE EXTENSION unaccent;
CREATE TEXT SEARCH CONFIGURATION public.plain_unaccented (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION public.plain_unaccented ALTER MAPPING FOR word, asciiword WITH public.unaccent, simple;
