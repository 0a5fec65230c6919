CREATE TABLE keep (id int PRIMARY KEY);
CREATE TABLE accounts (id int PRIMARY KEY, owner name NOT NULL);
CREATE TABLE invitations (id int PRIMARY KEY, account int NOT NULL);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY owners_invite ON invitations FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM accounts a WHERE a.id = account AND a.owner = current_user));
