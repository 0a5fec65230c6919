CREATE SCHEMA utils;
CREATE SCHEMA lookup;
CREATE TYPE lookup.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN utils.posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN utils.mood AS lookup.mood;
CREATE TABLE utils.unused (x int);
