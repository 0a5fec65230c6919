CREATE TABLE items (id integer PRIMARY KEY);
CREATE TEXT SEARCH CONFIGURATION my_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION my_simple DROP MAPPING FOR email, url, url_path;
