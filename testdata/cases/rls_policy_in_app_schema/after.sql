CREATE SCHEMA app;
CREATE TABLE app.members (user_name text, team int);
CREATE TABLE app.notes (id int, team int, body text);
ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY team_read ON app.notes FOR SELECT TO sec_reader
  USING (team IN (SELECT m.team FROM app.members m WHERE m.user_name = current_user));
CREATE POLICY team_write ON app.notes FOR UPDATE USING (lower(body) <> 'locked') WITH CHECK (team IS NOT NULL);
