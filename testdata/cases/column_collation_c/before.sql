CREATE TABLE slugs (
    id bigint PRIMARY KEY,
    slug text NOT NULL
);
