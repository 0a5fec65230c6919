CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    roles text[] NOT NULL DEFAULT '{}',
    favourite_ids bigint[] DEFAULT ARRAY[]::bigint[]
);
