CREATE SCHEMA app;

CREATE TABLE jobs (
    id bigint PRIMARY KEY
);
