CREATE TABLE keep (id int PRIMARY KEY);
CREATE TABLE orgs (id int PRIMARY KEY, name text);
CREATE TABLE memberships (id int PRIMARY KEY, org int NOT NULL REFERENCES orgs ON DELETE CASCADE, member name NOT NULL, is_owner boolean NOT NULL DEFAULT false);
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY update_owner ON orgs FOR UPDATE
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.org = orgs.id AND m.is_owner AND m.member = current_user));
