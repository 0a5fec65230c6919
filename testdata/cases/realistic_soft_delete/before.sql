CREATE TABLE documents (
    id bigint PRIMARY KEY,
    owner_id bigint NOT NULL,
    slug text NOT NULL,
    title text NOT NULL
);

CREATE UNIQUE INDEX documents_owner_slug_idx ON documents (owner_id, slug);
