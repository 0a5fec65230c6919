CREATE SEQUENCE ticket_seq;
COMMENT ON SEQUENCE ticket_seq IS 'Human-facing ticket numbers';
