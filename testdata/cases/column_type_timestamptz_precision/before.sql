CREATE TABLE ticks (
    id bigint PRIMARY KEY,
    at timestamptz NOT NULL
);
