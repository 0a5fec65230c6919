CREATE TYPE kv AS (k text, v integer);
