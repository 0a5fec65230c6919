CREATE TABLE builds (id bigint NOT NULL, part bigint NOT NULL, commit_id bigint) PARTITION BY LIST (part);
CREATE TABLE builds_1 PARTITION OF builds FOR VALUES IN (1);
CREATE TABLE builds_2 PARTITION OF builds FOR VALUES IN (2);
-- GitLab's pattern: the partitions' indexes have names of their own.
CREATE INDEX builds_commit_idx ON ONLY builds (commit_id);
CREATE INDEX index_builds_1_on_commit ON builds_1 (commit_id);
ALTER INDEX builds_commit_idx ATTACH PARTITION index_builds_1_on_commit;
CREATE INDEX index_builds_2_on_commit ON builds_2 (commit_id);
ALTER INDEX builds_commit_idx ATTACH PARTITION index_builds_2_on_commit;
