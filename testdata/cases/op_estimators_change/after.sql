CREATE FUNCTION ci_eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) = lower(b) $$;
CREATE OPERATOR ==~ (FUNCTION = ci_eq, LEFTARG = text, RIGHTARG = text, JOIN = eqjoinsel);
