CREATE TABLE loans (
    id bigint PRIMARY KEY,
    principal numeric(12,2) NOT NULL
);
