CREATE TABLE keep (id integer PRIMARY KEY);
CREATE TABLE projects (id integer PRIMARY KEY, name text);
CREATE DOMAIN project_domain AS projects;
CREATE TYPE project_pair AS (a project_domain, b project_domain);
CREATE FUNCTION get_project(project_id integer) RETURNS project_domain LANGUAGE sql
AS $$ SELECT p::project_domain FROM projects p WHERE p.id = project_id $$;
