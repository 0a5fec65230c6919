CREATE TABLE users (
    id bigint PRIMARY KEY
);

CREATE TABLE comments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES users (id),
    reply_to bigint REFERENCES comments (id) ON DELETE SET NULL,
    body text NOT NULL
);
