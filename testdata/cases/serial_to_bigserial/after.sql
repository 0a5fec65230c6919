CREATE TABLE hits (
    id bigserial PRIMARY KEY,
    path text NOT NULL
);
