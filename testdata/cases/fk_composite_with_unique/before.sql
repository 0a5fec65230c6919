CREATE TABLE projects (
    id bigint PRIMARY KEY,
    org_id bigint NOT NULL
);

CREATE TABLE issues (
    id bigint PRIMARY KEY,
    org_id bigint NOT NULL,
    project_id bigint NOT NULL
);
