CREATE TABLE events (id bigint NOT NULL, CONSTRAINT events_id_positive CHECK (id > 0));
CREATE TABLE clicks (id bigint NOT NULL, target text, CONSTRAINT events_id_positive CHECK (id > 0)) INHERITS (events);
