CREATE TABLE projects (id int PRIMARY KEY, name text, client_id int);
