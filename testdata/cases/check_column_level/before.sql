CREATE TABLE ratings (
    id bigint PRIMARY KEY,
    stars smallint NOT NULL
);
