CREATE TABLE docs (id bigint PRIMARY KEY, title text NOT NULL);
CREATE INDEX docs_title_idx ON docs (title);
INSERT INTO docs SELECT g, 'Doc ' || g FROM generate_series(1, 100) g;
