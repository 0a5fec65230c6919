CREATE TABLE rooms (
    id integer PRIMARY KEY
);

CREATE TABLE room_blocks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id integer NOT NULL REFERENCES rooms (id),
    seats int4range NOT NULL,
    held tsrange NOT NULL,
    EXCLUDE USING gist (seats WITH &&) WHERE (room_id > 0),
    CONSTRAINT room_blocks_held_excl EXCLUDE USING gist (held WITH &&) DEFERRABLE INITIALLY DEFERRED
);
