CREATE TABLE events (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX events_kind_at ON events (kind, at);

CREATE TABLE parts (
    id int,
    kind text
) PARTITION BY LIST (kind);
CREATE TABLE parts_a PARTITION OF parts FOR VALUES IN ('a');
CREATE UNIQUE INDEX parts_id ON parts (kind, id);
