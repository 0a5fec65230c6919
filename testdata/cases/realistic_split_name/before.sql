CREATE TABLE contacts (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    phone varchar(20)
);
