CREATE TABLE accounts (id integer NOT NULL, tenant integer NOT NULL, CONSTRAINT accounts_pkey PRIMARY KEY (id));
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer, tenant integer,
  CONSTRAINT invoices_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id));
