CREATE TABLE queues (
    name text PRIMARY KEY
);

CREATE TABLE tickets (
    id bigint PRIMARY KEY,
    queue text NOT NULL REFERENCES queues (name) ON UPDATE CASCADE
);
