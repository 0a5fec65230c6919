CREATE TABLE accounts (
    tenant_id integer NOT NULL,
    id integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE transfers (
    id bigint PRIMARY KEY,
    tenant_id integer,
    account_id integer,
    CONSTRAINT transfers_account_fk FOREIGN KEY (tenant_id, account_id)
        REFERENCES accounts (tenant_id, id) MATCH FULL ON DELETE CASCADE
);
