CREATE TABLE slots (
    id bigint PRIMARY KEY,
    venue_id bigint NOT NULL,
    day date NOT NULL,
    hour smallint NOT NULL,
    CONSTRAINT slots_unique UNIQUE (venue_id, day)
);
