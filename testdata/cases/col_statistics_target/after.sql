CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload jsonb, note text);
ALTER TABLE events ALTER COLUMN kind SET STATISTICS 1000;
ALTER TABLE events ALTER COLUMN payload SET STATISTICS 0;
