CREATE TABLE users (
    id bigint PRIMARY KEY
);
