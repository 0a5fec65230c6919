CREATE TABLE events (id bigint NOT NULL);
CREATE TABLE clicks (target text) INHERITS (events);
CREATE TABLE views (page text) INHERITS (events);
