CREATE TABLE projects (id integer PRIMARY KEY, name text);

-- Domains over a composite type and over a table's row type, and a
-- function returning the latter: each waits for the type it is built on.
CREATE TYPE point_2d AS (x integer, y integer);
CREATE DOMAIN point_domain AS point_2d;
CREATE DOMAIN project_domain AS projects;
CREATE FUNCTION get_project(project_id integer) RETURNS project_domain LANGUAGE sql
AS $$ SELECT p::project_domain FROM projects p WHERE p.id = project_id $$;
