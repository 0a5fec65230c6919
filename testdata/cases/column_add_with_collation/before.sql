CREATE TABLE slugs (
    id bigint PRIMARY KEY
);
