-- A composite type whose attribute is another composite type.
CREATE TYPE point2 AS (x double precision, y double precision);
CREATE TYPE segment AS (a point2, b point2);
CREATE TABLE places (id integer PRIMARY KEY, route segment);
