CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY keep ON docs FOR SELECT USING (true);
