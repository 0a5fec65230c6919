CREATE TABLE ledger_entries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account varchar(34) NOT NULL,
    debit numeric(18,2) NOT NULL DEFAULT 0,
    credit numeric(18,2) NOT NULL DEFAULT 0,
    memo text,
    CONSTRAINT ledger_entries_one_side CHECK (debit = 0 OR credit = 0)
);
