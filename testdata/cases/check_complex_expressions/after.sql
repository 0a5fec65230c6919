CREATE TABLE regions (
    code text PRIMARY KEY
);

CREATE TABLE signups (
    id bigint PRIMARY KEY,
    email text NOT NULL CHECK (email ~* '^[^@]+@[^@]+\.[a-z]{2,}$'),
    plan text NOT NULL CHECK (plan IN ('free', 'pro', 'team')),
    seats integer NOT NULL DEFAULT 1 CHECK (seats BETWEEN 1 AND 500),
    tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10 AND NOT ('' = ANY (tags))),
    starts_on date NOT NULL,
    ends_on date,
    CONSTRAINT signups_period CHECK (ends_on IS NULL OR ends_on > starts_on + 1),
    CONSTRAINT signups_team_seats CHECK (plan <> 'team' OR seats >= 3)
);
