CREATE FUNCTION ci_cmp(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) = lower(b) $$;
CREATE OPERATOR ==~ (FUNCTION = ci_cmp, LEFTARG = text, RIGHTARG = text);
