CREATE TABLE api_keys (
    key_id text PRIMARY KEY,
    label text
);
