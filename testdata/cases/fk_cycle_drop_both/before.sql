CREATE TABLE leagues (
    id integer PRIMARY KEY
);

CREATE TABLE teams (
    id integer PRIMARY KEY,
    league_id integer REFERENCES leagues (id),
    captain_id integer
);

CREATE TABLE players (
    id integer PRIMARY KEY,
    team_id integer REFERENCES teams (id)
);

ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players (id);
