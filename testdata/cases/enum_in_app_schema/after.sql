CREATE SCHEMA app;

CREATE TYPE app.job_state AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE jobs (
    id bigint PRIMARY KEY,
    state app.job_state NOT NULL DEFAULT 'queued'
);
