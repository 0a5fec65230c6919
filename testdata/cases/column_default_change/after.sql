CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    priority integer DEFAULT 5,
    due_at timestamptz DEFAULT (now() + interval '7 days'),
    state text NOT NULL DEFAULT 'todo'
);
