CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    balance numeric NOT NULL,
    CONSTRAINT balance_non_negative CHECK (balance >= 0)
);
