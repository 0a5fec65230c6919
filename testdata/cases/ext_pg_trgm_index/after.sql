CREATE EXTENSION pg_trgm;
CREATE TABLE items (id integer PRIMARY KEY, name text);
CREATE INDEX items_name_trgm ON items USING gin (name gin_trgm_ops);
