CREATE SCHEMA ref;
CREATE TABLE ref.countries (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE ref.regions (id int PRIMARY KEY, country text REFERENCES ref.countries);
