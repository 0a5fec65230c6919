-- The key gains the tenant column; the foreign key references both.
CREATE TABLE accounts (id integer NOT NULL, tenant integer NOT NULL, CONSTRAINT accounts_pkey PRIMARY KEY (tenant, id));
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer, tenant integer,
  CONSTRAINT invoices_account_fkey FOREIGN KEY (tenant, account_id) REFERENCES accounts (tenant, id));
