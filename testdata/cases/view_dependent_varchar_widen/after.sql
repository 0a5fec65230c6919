CREATE TABLE people (
    id bigint PRIMARY KEY,
    name varchar(100) NOT NULL
);

CREATE VIEW people_names AS
    SELECT id, name FROM people;
