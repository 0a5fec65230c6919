CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
