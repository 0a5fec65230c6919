CREATE TABLE places (id integer PRIMARY KEY);
