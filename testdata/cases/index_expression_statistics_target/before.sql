CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL, name text);
CREATE INDEX people_lower_email ON people (lower(email));
CREATE INDEX people_name_len ON people (id, length(name));
ALTER INDEX people_name_len ALTER COLUMN 2 SET STATISTICS 300;
