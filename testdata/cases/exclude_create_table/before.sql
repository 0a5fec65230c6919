CREATE TABLE rooms (
    id integer PRIMARY KEY
);
