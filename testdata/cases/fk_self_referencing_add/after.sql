CREATE TABLE categories (
    id integer PRIMARY KEY,
    name text NOT NULL,
    parent_id integer REFERENCES categories (id) ON DELETE CASCADE
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);
