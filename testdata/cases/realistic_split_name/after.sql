CREATE TABLE contacts (
    id bigint PRIMARY KEY,
    first_name text NOT NULL DEFAULT '',
    last_name text NOT NULL DEFAULT '',
    full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
    phone varchar(32)
);
