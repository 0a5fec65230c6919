CREATE TABLE ratings (
    id bigint PRIMARY KEY,
    stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5)
);
