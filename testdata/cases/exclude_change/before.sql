CREATE TABLE reservations (
    id bigint PRIMARY KEY,
    during tsrange NOT NULL,
    cancelled boolean NOT NULL DEFAULT false,
    CONSTRAINT reservations_no_overlap EXCLUDE USING gist (during WITH &&)
);
