CREATE TABLE docs (id int PRIMARY KEY, tags text[]);
CREATE FUNCTION ci_eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) = lower(b) $$;
CREATE FUNCTION ci_ne(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT lower(a) <> lower(b) $$;
CREATE FUNCTION neg_int(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT -a $$;
CREATE OPERATOR ==~ (FUNCTION = ci_eq, LEFTARG = text, RIGHTARG = text, COMMUTATOR = ==~, NEGATOR = !=~, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES);
CREATE OPERATOR !=~ (FUNCTION = ci_ne, LEFTARG = text, RIGHTARG = text, COMMUTATOR = !=~, NEGATOR = ==~, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR ~- (FUNCTION = neg_int, RIGHTARG = int);
COMMENT ON OPERATOR ==~ (text, text) IS 'case-insensitive equality';
