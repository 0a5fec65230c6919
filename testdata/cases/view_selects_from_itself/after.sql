CREATE TABLE projects (id int PRIMARY KEY, name text, client_id int);

-- A view may select from itself (querying it then fails at run time):
-- it takes a CREATE OR REPLACE over a view of the same columns.
CREATE VIEW looping AS SELECT * FROM projects;
CREATE OR REPLACE VIEW looping AS SELECT * FROM looping;
COMMENT ON VIEW looping IS 'selects from itself';
