CREATE TABLE keep (id int PRIMARY KEY);
CREATE SCHEMA IF NOT EXISTS public;
CREATE FUNCTION public.is_member(account int) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT account > 0 $$;
CREATE TABLE accounts (id int PRIMARY KEY, name text);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY member_reads ON accounts FOR SELECT TO sec_reader USING (public.is_member(id));
CREATE TABLE notes (id int PRIMARY KEY, account int, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY member_notes ON notes USING (public.is_member(account)) WITH CHECK (public.is_member(account));
