CREATE TABLE documents (
    id bigint PRIMARY KEY,
    owner_id bigint NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    deleted_at timestamptz
);

CREATE UNIQUE INDEX documents_owner_slug_idx ON documents (owner_id, slug) WHERE deleted_at IS NULL;

CREATE VIEW live_documents AS
    SELECT id, owner_id, slug, title FROM documents WHERE deleted_at IS NULL;
