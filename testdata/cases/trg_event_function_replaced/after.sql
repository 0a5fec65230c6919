CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;

CREATE EVENT TRIGGER log_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl();
