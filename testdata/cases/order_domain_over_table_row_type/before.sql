CREATE TABLE trips (id integer PRIMARY KEY);
