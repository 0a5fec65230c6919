CREATE TABLE projects (
    id bigint PRIMARY KEY,
    org_id bigint NOT NULL,
    CONSTRAINT projects_org_id_id_key UNIQUE (org_id, id)
);

CREATE TABLE issues (
    id bigint PRIMARY KEY,
    org_id bigint NOT NULL,
    project_id bigint NOT NULL,
    CONSTRAINT issues_project_fk FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);
