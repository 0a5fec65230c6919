CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE posts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title varchar(200) NOT NULL,
    body text NOT NULL DEFAULT '',
    published boolean NOT NULL DEFAULT false,
    published_at timestamptz
);

CREATE INDEX posts_author_id_idx ON posts (author_id);
