CREATE TABLE pages (
    id serial PRIMARY KEY,
    path text NOT NULL
);
