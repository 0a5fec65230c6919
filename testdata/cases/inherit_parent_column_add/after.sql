CREATE TABLE events (id bigint NOT NULL, source text, CONSTRAINT events_id_positive CHECK (id > 0));
CREATE TABLE clicks (target text) INHERITS (events);
CREATE TABLE views (page text) INHERITS (events);
