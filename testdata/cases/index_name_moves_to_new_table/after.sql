-- The old tables are gone; new ones take over their index names.
CREATE TABLE events_v2 (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX events_kind_at ON events_v2 (kind, at);

CREATE TABLE parts_v2 (
    id int,
    kind text
) PARTITION BY LIST (kind);
CREATE TABLE parts_a PARTITION OF parts_v2 FOR VALUES IN ('a');
CREATE UNIQUE INDEX parts_id ON parts_v2 (kind, id);
CREATE TABLE referrer (kind text, id int, FOREIGN KEY (kind, id) REFERENCES parts_v2 (kind, id));
