CREATE TABLE logs (id bigint NOT NULL, hook_id bigint NOT NULL) PARTITION BY HASH (hook_id);
CREATE TABLE logs_0 PARTITION OF logs FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE logs_1 PARTITION OF logs FOR VALUES WITH (modulus 2, remainder 1);
