CREATE DOMAIN amount AS bigint;
CREATE TABLE items (id integer PRIMARY KEY);
