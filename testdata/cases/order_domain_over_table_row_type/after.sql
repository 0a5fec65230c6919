-- The domain is over a table's row type and its CHECK reads the row's fields.
CREATE TABLE trips (id integer PRIMARY KEY, start_at place_ok);
CREATE DOMAIN place_ok AS places CHECK ((VALUE).lat BETWEEN -90 AND 90);
CREATE TABLE places (lat double precision, lng double precision);
