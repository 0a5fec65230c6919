CREATE TABLE tickets (
    id bigint PRIMARY KEY,
    queue text NOT NULL
);
