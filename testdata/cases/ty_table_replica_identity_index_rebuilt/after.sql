CREATE TABLE accounts (id bigint PRIMARY KEY, tenant int NOT NULL, email text NOT NULL);
CREATE UNIQUE INDEX accounts_login ON accounts (tenant, email);
ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_login;
