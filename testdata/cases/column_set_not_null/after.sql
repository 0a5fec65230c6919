CREATE TABLE profiles (
    user_id bigint PRIMARY KEY,
    locale text NOT NULL,
    timezone text NOT NULL
);
