CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
