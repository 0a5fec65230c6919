CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL, name text);
CREATE INDEX people_lower_email ON people (lower(email));
ALTER INDEX people_lower_email ALTER COLUMN 1 SET STATISTICS 1000;
CREATE INDEX people_name_len ON people (id, length(name));
