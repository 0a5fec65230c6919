CREATE TABLE leagues (
    id integer PRIMARY KEY
);
