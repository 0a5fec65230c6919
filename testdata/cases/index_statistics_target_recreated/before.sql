CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL);
CREATE INDEX people_email_key ON people (lower(email));
ALTER INDEX people_email_key ALTER COLUMN 1 SET STATISTICS 1000;
