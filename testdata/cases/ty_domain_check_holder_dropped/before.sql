CREATE DOMAIN pct AS integer;
CREATE TABLE scores (id int PRIMARY KEY, history pct[]);
