CREATE TABLE api_keys (
    key_id uuid PRIMARY KEY,
    label text
);
