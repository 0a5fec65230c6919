CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    priority integer DEFAULT 3,
    due_at timestamptz DEFAULT (now() + interval '1 day'),
    state text NOT NULL DEFAULT 'new'
);
