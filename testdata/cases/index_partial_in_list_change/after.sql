-- The predicate changes: one more state.
CREATE TABLE jobs (
    id integer PRIMARY KEY,
    state varchar(20) NOT NULL
);
CREATE INDEX jobs_open_idx ON jobs (id) WHERE state IN ('queued', 'running', 'retrying');
