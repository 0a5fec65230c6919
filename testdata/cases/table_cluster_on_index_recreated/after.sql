CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL);
CREATE INDEX events_at ON events (at DESC);
ALTER TABLE events CLUSTER ON events_at;
