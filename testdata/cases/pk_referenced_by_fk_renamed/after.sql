CREATE TABLE authors (
    id bigint CONSTRAINT authors_pk PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE books (
    id bigint PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id)
);
