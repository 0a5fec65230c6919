CREATE TYPE ticket_state AS ENUM ('open', 'pending', 'closed');

CREATE TABLE tickets (
    id bigint PRIMARY KEY,
    title text NOT NULL,
    state ticket_state NOT NULL DEFAULT 'pending'
);
