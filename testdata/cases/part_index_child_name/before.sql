CREATE TABLE builds (id bigint NOT NULL, part bigint NOT NULL, commit_id bigint) PARTITION BY LIST (part);
CREATE TABLE builds_1 PARTITION OF builds FOR VALUES IN (1);
CREATE TABLE builds_2 PARTITION OF builds FOR VALUES IN (2);
CREATE INDEX builds_commit_idx ON builds (commit_id);
