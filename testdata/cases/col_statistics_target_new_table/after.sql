CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);
CREATE TABLE audit (id bigint, actor text, at timestamptz);
ALTER TABLE audit ALTER COLUMN actor SET STATISTICS 250;
ALTER TABLE audit ALTER COLUMN at SET (n_distinct = -1);
CREATE INDEX audit_day ON audit (date_trunc('day', at AT TIME ZONE 'UTC'));
ALTER INDEX audit_day ALTER COLUMN 1 SET STATISTICS 400;
