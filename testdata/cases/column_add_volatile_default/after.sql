CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    api_token uuid NOT NULL DEFAULT gen_random_uuid(),
    trial_ends_at timestamptz DEFAULT (now() + interval '14 days')
);
