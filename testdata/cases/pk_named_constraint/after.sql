CREATE TABLE regions (
    code text CONSTRAINT regions_code_pk PRIMARY KEY,
    name text NOT NULL
);
