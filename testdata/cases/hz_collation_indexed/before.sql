CREATE TABLE slugs (id bigint PRIMARY KEY, slug text NOT NULL);
CREATE INDEX slugs_slug_idx ON slugs (slug);
