CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), CONSTRAINT events_id_positive CHECK (id > 0));
CREATE TABLE clicks (target text NOT NULL, CONSTRAINT clicks_target_short CHECK (length(target) < 100)) INHERITS (events);
ALTER TABLE clicks ALTER COLUMN at SET DEFAULT '2000-01-01'::timestamptz;
