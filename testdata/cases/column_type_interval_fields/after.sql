CREATE TABLE jobs (
    id bigint PRIMARY KEY,
    timeout interval day to second
);
