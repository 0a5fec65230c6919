CREATE TABLE people (
    id bigint PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    full_name text GENERATED ALWAYS AS (last_name || ', ' || first_name) STORED
);
CREATE INDEX people_full_name ON people (full_name);
CREATE VIEW people_names AS SELECT id, full_name FROM people;
