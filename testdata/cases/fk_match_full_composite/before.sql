CREATE TABLE accounts (
    tenant_id integer NOT NULL,
    id integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE transfers (
    id bigint PRIMARY KEY,
    tenant_id integer,
    account_id integer
);
