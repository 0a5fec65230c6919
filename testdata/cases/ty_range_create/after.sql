CREATE TABLE items (id integer PRIMARY KEY);
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TYPE uuidrange AS RANGE (subtype = uuid);
CREATE TABLE blocks (day date NOT NULL, ids uuidrange NOT NULL,
  CONSTRAINT blocks_excl EXCLUDE USING gist (day WITH =, ids WITH &&));
