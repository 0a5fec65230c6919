CREATE DOMAIN amount AS integer;
CREATE TABLE items (id integer PRIMARY KEY);
