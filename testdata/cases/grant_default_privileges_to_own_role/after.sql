CREATE SCHEMA app;
-- Default privileges that grant to their own role, as pg_dump of a
-- Supabase database has them (FOR ROLE postgres … TO postgres): for the
-- migrating role that is whoever migrates, for another role that role.
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO CURRENT_USER;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sec_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE sec_admin IN SCHEMA app GRANT ALL ON TABLES TO sec_admin;
ALTER DEFAULT PRIVILEGES FOR ROLE sec_admin IN SCHEMA app GRANT SELECT ON TABLES TO sec_reader;
