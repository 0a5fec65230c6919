CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
