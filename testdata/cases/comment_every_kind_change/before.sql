CREATE SCHEMA app;

CREATE TYPE app.plan AS ENUM ('free', 'pro', 'enterprise');

CREATE SEQUENCE app.account_no_seq START 100;

CREATE TABLE app.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    account_no bigint NOT NULL DEFAULT nextval('app.account_no_seq'),
    plan app.plan NOT NULL DEFAULT 'free',
    name text NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_name_check CHECK (name <> '')
);

CREATE INDEX accounts_plan_idx ON app.accounts (plan);

CREATE VIEW app.paying_accounts AS
    SELECT id, name, plan FROM app.accounts WHERE plan <> 'free';

COMMENT ON SCHEMA app IS 'Account management';
COMMENT ON TYPE app.plan IS 'Billing plan';
COMMENT ON SEQUENCE app.account_no_seq IS 'Customer-visible account numbers';
COMMENT ON TABLE app.accounts IS 'One row per customer account';
COMMENT ON COLUMN app.accounts.plan IS 'Current plan';
COMMENT ON CONSTRAINT accounts_pkey ON app.accounts IS 'Surrogate key';
COMMENT ON CONSTRAINT accounts_name_check ON app.accounts IS 'Names must not be empty';
COMMENT ON INDEX app.accounts_plan_idx IS 'Plan reports';
COMMENT ON VIEW app.paying_accounts IS 'Accounts that pay';
COMMENT ON COLUMN app.paying_accounts.plan IS 'Never free';
