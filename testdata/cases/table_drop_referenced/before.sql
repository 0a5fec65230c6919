CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
    id integer PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE members (
    user_id bigint NOT NULL REFERENCES users (id),
    team_id integer REFERENCES teams (id),
    PRIMARY KEY (user_id)
);
