CREATE TABLE payments (
    id bigint PRIMARY KEY,
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL
);
COMMENT ON COLUMN payments.amount_cents IS 'Amount in minor units';
COMMENT ON COLUMN payments.currency IS 'ISO 4217 currency code';
