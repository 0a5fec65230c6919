CREATE TABLE audited (created_at timestamptz NOT NULL DEFAULT now(), note text);
CREATE TABLE named (name text, note text);
