CREATE TABLE visits (id bigint PRIMARY KEY, user_id bigint NOT NULL, path text);
ALTER TABLE visits ALTER COLUMN path SET (n_distinct = 500);
