CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), CONSTRAINT events_id_positive CHECK (id > 0));
