CREATE TABLE accounts (id integer NOT NULL, email text NOT NULL);
CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer);
