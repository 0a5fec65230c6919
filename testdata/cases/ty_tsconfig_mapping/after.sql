CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION my_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION my_simple ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart WITH unaccent, simple;
