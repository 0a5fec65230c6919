CREATE TABLE projects (id integer PRIMARY KEY, name text);
