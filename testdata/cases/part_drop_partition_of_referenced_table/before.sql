CREATE TABLE accounts (
    region text NOT NULL,
    id int NOT NULL,
    PRIMARY KEY (region, id)
) PARTITION BY LIST (region);
CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu');
CREATE TABLE accounts_us PARTITION OF accounts FOR VALUES IN ('us');
CREATE TABLE invoices (
    id int PRIMARY KEY,
    region text NOT NULL,
    account_id int NOT NULL,
    FOREIGN KEY (region, account_id) REFERENCES accounts (region, id)
);
INSERT INTO accounts VALUES ('eu', 1), ('us', 2);
INSERT INTO invoices VALUES (10, 'eu', 1);
