CREATE SEQUENCE events_id_seq;
CREATE TABLE events (id bigint NOT NULL, part bigint NOT NULL) PARTITION BY LIST (part);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
CREATE TABLE events_2 PARTITION OF events FOR VALUES IN (2);
-- GitLab's pattern: the partitions keep no default of their own.
ALTER TABLE ONLY events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');
