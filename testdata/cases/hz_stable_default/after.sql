CREATE TABLE sessions (id bigint PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now());
