CREATE FUNCTION ci_dist(a text, b text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT abs(length(a) - length(b)) $$;
CREATE OPERATOR <-> (FUNCTION = ci_dist, LEFTARG = text, RIGHTARG = text);
