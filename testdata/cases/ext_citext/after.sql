CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE TABLE items (id integer PRIMARY KEY, name citext);
