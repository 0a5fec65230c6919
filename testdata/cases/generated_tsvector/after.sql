CREATE TABLE articles (
    id bigint PRIMARY KEY,
    title text NOT NULL,
    body text NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title || ' ' || body)) STORED
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
