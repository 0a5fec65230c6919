CREATE TABLE messages (
    id uuid PRIMARY KEY,
    body text,
    seq_no bigserial NOT NULL
);
