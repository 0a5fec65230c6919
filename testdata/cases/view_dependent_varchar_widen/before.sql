CREATE TABLE people (
    id bigint PRIMARY KEY,
    name varchar(50) NOT NULL
);

CREATE VIEW people_names AS
    SELECT id, name FROM people;
