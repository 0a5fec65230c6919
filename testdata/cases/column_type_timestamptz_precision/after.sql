CREATE TABLE ticks (
    id bigint PRIMARY KEY,
    at timestamptz(3) NOT NULL
);
