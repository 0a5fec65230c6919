CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload jsonb, note text);
ALTER TABLE events ALTER COLUMN note SET STATISTICS 50;
