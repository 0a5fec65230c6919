CREATE TABLE logins (
    id bigint PRIMARY KEY,
    at timestamp NOT NULL DEFAULT now()
);
