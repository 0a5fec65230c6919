CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY new_name ON docs USING (n > 0);
