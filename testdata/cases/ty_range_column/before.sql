CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE items (id integer PRIMARY KEY);
