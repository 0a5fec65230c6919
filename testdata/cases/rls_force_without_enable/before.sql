CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
