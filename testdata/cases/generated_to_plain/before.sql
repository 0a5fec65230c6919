CREATE TABLE docs (
    id bigint PRIMARY KEY,
    title text NOT NULL,
    title_lower text GENERATED ALWAYS AS (lower(title)) STORED
);
