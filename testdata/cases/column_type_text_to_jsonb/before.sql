CREATE TABLE webhooks (
    id bigint PRIMARY KEY,
    payload text NOT NULL
);
