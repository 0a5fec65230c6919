CREATE TABLE events (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}',
    body tsvector,
    occurred_at timestamptz NOT NULL,
    window_range int4range,
    origin point
);

CREATE INDEX events_kind_hash_idx ON events USING hash (kind);
CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
CREATE INDEX events_tags_idx ON events USING gin (tags);
CREATE INDEX events_body_idx ON events USING gin (body);
CREATE INDEX events_occurred_brin_idx ON events USING brin (occurred_at) WITH (pages_per_range = 32);
CREATE INDEX events_window_idx ON events USING gist (window_range);
CREATE INDEX events_origin_idx ON events USING gist (origin);
