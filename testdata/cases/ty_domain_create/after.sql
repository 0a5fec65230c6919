CREATE TABLE items (id integer PRIMARY KEY);
CREATE DOMAIN positive AS integer CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TABLE stock (item integer PRIMARY KEY, qty positive);
