CREATE TABLE users (
    id bigint PRIMARY KEY
);

CREATE TABLE messages (
    id bigint PRIMARY KEY,
    sender_id bigint NOT NULL REFERENCES users (id),
    recipient_id bigint NOT NULL
);
