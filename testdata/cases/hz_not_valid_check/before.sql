CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    balance numeric NOT NULL
);
INSERT INTO accounts SELECT g, g FROM generate_series(1, 100) g;
