CREATE TABLE docs (id int PRIMARY KEY, owner_name text, body text, n int);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON docs FOR SELECT TO sec_reader USING (true);
CREATE POLICY q ON docs FOR SELECT USING (n > 1);
