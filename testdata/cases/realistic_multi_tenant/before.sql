CREATE TABLE projects (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    CONSTRAINT projects_name_key UNIQUE (name)
);

CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id),
    title text NOT NULL
);
