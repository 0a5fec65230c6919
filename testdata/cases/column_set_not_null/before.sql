CREATE TABLE profiles (
    user_id bigint PRIMARY KEY,
    locale text,
    timezone text
);
