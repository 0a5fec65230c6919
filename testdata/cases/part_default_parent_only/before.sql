CREATE SEQUENCE events_id_seq;
CREATE TABLE events (id bigint NOT NULL, part bigint NOT NULL) PARTITION BY LIST (part);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
