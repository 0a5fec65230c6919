CREATE TABLE accounts (
    region text NOT NULL,
    id int NOT NULL,
    PRIMARY KEY (region, id)
) PARTITION BY LIST (region);
CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu');
CREATE TABLE invoices (
    id int PRIMARY KEY,
    region text NOT NULL,
    account_id int NOT NULL,
    FOREIGN KEY (region, account_id) REFERENCES accounts (region, id)
);
