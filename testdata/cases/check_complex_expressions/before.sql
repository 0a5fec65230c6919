CREATE TABLE regions (
    code text PRIMARY KEY
);
