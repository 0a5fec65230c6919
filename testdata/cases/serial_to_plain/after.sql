CREATE TABLE pages (
    id integer PRIMARY KEY,
    path text NOT NULL
);
