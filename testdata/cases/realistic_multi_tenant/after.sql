CREATE TABLE tenants (
    id integer PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE projects (
    id bigint PRIMARY KEY,
    tenant_id integer NOT NULL DEFAULT 1 REFERENCES tenants (id),
    name text NOT NULL,
    CONSTRAINT projects_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    tenant_id integer NOT NULL DEFAULT 1 REFERENCES tenants (id),
    project_id bigint NOT NULL REFERENCES projects (id),
    title text NOT NULL
);

CREATE INDEX tasks_tenant_id_idx ON tasks (tenant_id);
