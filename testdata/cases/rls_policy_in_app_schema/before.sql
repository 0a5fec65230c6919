CREATE SCHEMA app;
CREATE TABLE app.members (user_name text, team int);
CREATE TABLE app.notes (id int, team int, body text);
ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
