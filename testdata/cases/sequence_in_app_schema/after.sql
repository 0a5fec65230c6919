CREATE SCHEMA app;

CREATE SEQUENCE app.receipt_no_seq START 1 INCREMENT 1;

CREATE TABLE receipts (
    id bigint PRIMARY KEY,
    receipt_no bigint NOT NULL DEFAULT nextval('app.receipt_no_seq')
);
