-- Event triggers that stay enabled and fire on every later command, like
-- Supabase's (pgrst_ddl_watch, issue_pg_graphql_access …): they fire on
-- pg-flux's own work too, in the shadow and in live.
CREATE TABLE ddl_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tag text, object text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE cmd record;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    INSERT INTO public.ddl_log (tag, object) VALUES (cmd.command_tag, cmd.object_identity);
  END LOOP;
  NOTIFY ddl_watch, 'reload schema';
END $$;
CREATE FUNCTION log_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    INSERT INTO public.ddl_log (tag, object) VALUES ('DROP', obj.object_identity);
  END LOOP;
END $$;
CREATE EVENT TRIGGER watch_ddl ON ddl_command_end EXECUTE FUNCTION log_ddl();
CREATE EVENT TRIGGER watch_drop ON sql_drop EXECUTE FUNCTION log_drop();
CREATE TABLE old_items (id int PRIMARY KEY);
