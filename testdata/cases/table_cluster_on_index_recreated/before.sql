CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL);
CREATE INDEX events_at ON events (at);
ALTER TABLE events CLUSTER ON events_at;
