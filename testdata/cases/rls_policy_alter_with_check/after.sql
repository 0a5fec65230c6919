CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON docs FOR INSERT WITH CHECK (n > 0 AND length(body) < 100);
