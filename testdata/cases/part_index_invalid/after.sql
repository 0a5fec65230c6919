CREATE TABLE logs (id bigint NOT NULL, hook_id bigint NOT NULL) PARTITION BY HASH (hook_id);
CREATE TABLE logs_0 PARTITION OF logs FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE logs_1 PARTITION OF logs FOR VALUES WITH (modulus 2, remainder 1);
-- Only one partition has its index yet: the parent's stays invalid.
CREATE INDEX logs_hook_idx ON ONLY logs (hook_id);
CREATE INDEX logs_0_hook ON logs_0 (hook_id);
ALTER INDEX logs_hook_idx ATTACH PARTITION logs_0_hook;
