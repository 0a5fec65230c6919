CREATE TABLE sessions (id bigint PRIMARY KEY, token uuid NOT NULL DEFAULT gen_random_uuid());
