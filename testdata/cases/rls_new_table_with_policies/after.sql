CREATE TABLE other (id int);
CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_read ON docs FOR SELECT USING (owner_name = current_user);
CREATE POLICY docs_write ON docs FOR INSERT TO sec_writer WITH CHECK (owner_name = current_user);
