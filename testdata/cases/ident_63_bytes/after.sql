CREATE TABLE orders (
    id bigint PRIMARY KEY
);

CREATE TABLE customer_subscription_billing_cycle_adjustments_history_archive (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    adjustment_reason_code_entered_by_the_support_team_member_there text NOT NULL,
    "éééééééééééééééééééééééééééééééx" integer
);

CREATE INDEX "éééééééééééééééééééééééééééééééx" ON customer_subscription_billing_cycle_adjustments_history_archive (adjustment_reason_code_entered_by_the_support_team_member_there);
