CREATE TABLE notes (
    id bigint PRIMARY KEY,
    body text
);
COMMENT ON TABLE notes IS 'It''s a "note" table
second line \ backslash';
COMMENT ON COLUMN notes.body IS E'Markdown — supports émojis 🎉 and tabs\there';
