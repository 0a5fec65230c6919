CREATE FUNCTION ci_cmp(a text, b text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN lower(a) = lower(b) THEN 1 ELSE 0 END $$;
CREATE OPERATOR ==~ (FUNCTION = ci_cmp, LEFTARG = text, RIGHTARG = text);
