CREATE TABLE slugs (
    id bigint PRIMARY KEY,
    slug text COLLATE "C" NOT NULL DEFAULT ''
);
