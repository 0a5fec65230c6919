CREATE SCHEMA app AUTHORIZATION sec_admin;
CREATE TABLE app.t (id int);
ALTER TABLE app.t OWNER TO sec_writer;
CREATE TYPE app.mood AS ENUM ('a');
ALTER TYPE app.mood OWNER TO sec_reader;
