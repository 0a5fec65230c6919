CREATE TABLE customer_subscription_billing_cycle_adjustments_history_archive (
    id bigint PRIMARY KEY,
    amount integer
);
