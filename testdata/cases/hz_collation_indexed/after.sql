CREATE TABLE slugs (id bigint PRIMARY KEY, slug text COLLATE "C" NOT NULL);
CREATE INDEX slugs_slug_idx ON slugs (slug);
