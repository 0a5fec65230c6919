CREATE SCHEMA app;
CREATE TABLE app.a (id int);
CREATE TABLE app.b (id int);
CREATE PUBLICATION feed FOR TABLE app.a;
