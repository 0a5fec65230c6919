CREATE TABLE notes (
    id bigint PRIMARY KEY
);

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
