CREATE TABLE subscriptions (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL,
    plan text NOT NULL,
    cancelled_at timestamptz
);
