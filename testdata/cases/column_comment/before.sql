CREATE TABLE payments (
    id bigint PRIMARY KEY,
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL
);
COMMENT ON COLUMN payments.currency IS 'ISO code';
