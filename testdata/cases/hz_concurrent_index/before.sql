CREATE TABLE docs (id bigint PRIMARY KEY, title text NOT NULL);
INSERT INTO docs SELECT g, 'doc ' || g FROM generate_series(1, 100) g;
