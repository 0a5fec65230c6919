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
