CREATE SCHEMA app;

CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    default_workspace_id bigint
);

CREATE TABLE app.workspaces (
    id bigint PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES public.users (id),
    name text NOT NULL
);

CREATE TABLE app.workspace_members (
    workspace_id bigint NOT NULL REFERENCES app.workspaces (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, user_id)
);

ALTER TABLE users ADD CONSTRAINT users_default_workspace_fk
    FOREIGN KEY (default_workspace_id) REFERENCES app.workspaces (id) ON DELETE SET NULL;
