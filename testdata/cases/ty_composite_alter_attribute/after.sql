CREATE TYPE kv AS (k text COLLATE "C", v bigint);
