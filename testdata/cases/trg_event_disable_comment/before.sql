CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;

CREATE EVENT TRIGGER log_ddl ON sql_drop EXECUTE FUNCTION on_ddl();
