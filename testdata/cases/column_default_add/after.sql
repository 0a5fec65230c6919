CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    done boolean NOT NULL DEFAULT false,
    created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
    priority integer DEFAULT 3
);
