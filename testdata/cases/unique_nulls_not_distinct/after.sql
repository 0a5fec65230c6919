CREATE TABLE subscriptions (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL,
    plan text NOT NULL,
    cancelled_at timestamptz,
    CONSTRAINT subscriptions_one_active UNIQUE NULLS NOT DISTINCT (user_id, cancelled_at)
);
