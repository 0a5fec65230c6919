CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL UNIQUE,
    username text NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);
