CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_read ON docs FOR SELECT TO sec_reader USING (owner_name = current_user);
