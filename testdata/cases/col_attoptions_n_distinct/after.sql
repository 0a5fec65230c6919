CREATE TABLE visits (id bigint PRIMARY KEY, user_id bigint NOT NULL, path text);
ALTER TABLE visits ALTER COLUMN user_id SET (n_distinct = -0.05, n_distinct_inherited = -0.1);
