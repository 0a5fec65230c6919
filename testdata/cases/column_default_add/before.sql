CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    done boolean NOT NULL,
    created_at timestamptz,
    priority integer
);
