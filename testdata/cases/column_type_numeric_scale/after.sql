CREATE TABLE invoices (
    id bigint PRIMARY KEY,
    amount numeric(12,4) NOT NULL
);
