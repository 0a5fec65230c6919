CREATE TABLE messages (
    id uuid PRIMARY KEY,
    body text
);
