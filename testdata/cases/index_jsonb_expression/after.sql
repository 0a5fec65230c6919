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

CREATE INDEX events_payload_type_idx ON events ((payload ->> 'type'), occurred_at) WHERE kind <> 'debug';
