CREATE TABLE events (id bigint PRIMARY KEY, body text) WITH (fillfactor = 90);
