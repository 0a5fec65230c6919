CREATE FUNCTION ci_dist(a text, b text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT abs(length(a) - length(b)) $$;
CREATE OPERATOR <-> (FUNCTION = ci_dist, LEFTARG = text, RIGHTARG = text);
CREATE TABLE words (id int PRIMARY KEY, word text NOT NULL CHECK ((word <-> '') >= 0));
CREATE INDEX words_dist_idx ON words ((word <-> 'abc'));
