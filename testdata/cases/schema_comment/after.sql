CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Application-internal tables';
CREATE TABLE app.settings (key text PRIMARY KEY, value jsonb NOT NULL);
