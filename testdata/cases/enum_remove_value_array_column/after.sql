CREATE TYPE topic AS ENUM ('news', 'sport', 'tech');

CREATE TABLE posts (
    id bigint PRIMARY KEY,
    topics topic[] NOT NULL DEFAULT '{}'
);
