CREATE TABLE hits (
    id serial PRIMARY KEY,
    path text NOT NULL
);
