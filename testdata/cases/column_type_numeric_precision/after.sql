CREATE TABLE invoices (
    id bigint PRIMARY KEY,
    amount numeric(14,2) NOT NULL DEFAULT 0
);
