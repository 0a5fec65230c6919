CREATE TABLE accounts (id integer NOT NULL, CONSTRAINT accounts_id_key UNIQUE (id));
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer REFERENCES accounts (id));
