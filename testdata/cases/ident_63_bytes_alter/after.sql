CREATE TABLE customer_subscription_billing_cycle_adjustments_history_archive (
    id bigint PRIMARY KEY,
    amount bigint,
    adjustment_reason_code_entered_by_the_support_team_member_there text
);
CREATE UNIQUE INDEX customer_subscription_billing_cycle_adjustments_history_arc_idx ON customer_subscription_billing_cycle_adjustments_history_archive (amount);
