CREATE TYPE ticket_state AS ENUM ('open', 'closed', 'waiting');

CREATE TABLE tickets (
    id bigint PRIMARY KEY,
    state ticket_state NOT NULL DEFAULT 'open',
    closed_at timestamptz,
    CONSTRAINT tickets_closed_has_time CHECK (state <> 'closed' OR closed_at IS NOT NULL)
);

CREATE INDEX tickets_open_idx ON tickets (id) WHERE state = 'open';

CREATE VIEW open_tickets AS
    SELECT id, state FROM tickets WHERE state = 'open';
