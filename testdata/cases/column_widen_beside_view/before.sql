CREATE TABLE people (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    nickname varchar(20)
);

CREATE VIEW people_names AS
    SELECT id, name FROM people;
