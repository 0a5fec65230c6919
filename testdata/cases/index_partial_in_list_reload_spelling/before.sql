-- A partial index whose predicate is an IN list over a varchar column, in
-- its source spelling: PostgreSQL deparses it as an array cast to text[].
CREATE TABLE jobs (
    id integer PRIMARY KEY,
    state varchar(20) NOT NULL,
    CONSTRAINT jobs_state_check CHECK (state IN ('queued', 'running', 'done'))
);
CREATE INDEX jobs_open_idx ON jobs (id) WHERE state IN ('queued', 'running');
