-- events_a now belongs to events_v2; events is gone.
CREATE TABLE events_v2 (id integer NOT NULL, kind text NOT NULL) PARTITION BY LIST (kind);
CREATE TABLE events_a PARTITION OF events_v2 FOR VALUES IN ('a');
