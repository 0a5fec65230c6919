CREATE TABLE events (
    id integer PRIMARY KEY,
    happened timestamptz NOT NULL -- @using to_timestamp(happened / 1000.0)
);
INSERT INTO events VALUES (1, '2023-11-14 22:13:20+00');
