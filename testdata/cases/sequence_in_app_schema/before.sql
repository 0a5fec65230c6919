CREATE SCHEMA app;

CREATE TABLE receipts (
    id bigint PRIMARY KEY
);
