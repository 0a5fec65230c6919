CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
