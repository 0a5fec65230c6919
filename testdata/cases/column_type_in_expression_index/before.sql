CREATE TABLE users (
    id bigint PRIMARY KEY,
    email varchar(100) NOT NULL
);

CREATE UNIQUE INDEX users_lower_email_idx ON users (lower(email));
