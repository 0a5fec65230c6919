-- The foreign key is declared before the unique index it needs.
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer REFERENCES accounts (id));
CREATE TABLE accounts (id integer NOT NULL, email text NOT NULL);
CREATE UNIQUE INDEX accounts_id_key ON accounts (id);
