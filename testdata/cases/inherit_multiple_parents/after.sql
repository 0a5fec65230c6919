CREATE TABLE audited (created_at timestamptz NOT NULL DEFAULT now(), note text);
CREATE TABLE named (name text, note text);
CREATE TABLE things (id int PRIMARY KEY, note text) INHERITS (named, audited);
ALTER TABLE things ALTER COLUMN name SET NOT NULL;
