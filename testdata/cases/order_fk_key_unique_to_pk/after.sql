-- The referenced unique constraint becomes the primary key.
CREATE TABLE accounts (id integer NOT NULL, CONSTRAINT accounts_pkey PRIMARY KEY (id));
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer REFERENCES accounts (id));
