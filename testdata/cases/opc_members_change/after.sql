CREATE TABLE nums (id int PRIMARY KEY, n int NOT NULL);
CREATE FUNCTION rev_cmp(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp(b, a) $$;
CREATE FUNCTION rev_lt(a int, b int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT a > b $$;
CREATE OPERATOR <<< (FUNCTION = rev_lt, LEFTARG = int, RIGHTARG = int);
CREATE OPERATOR CLASS rev_ops FOR TYPE int USING btree AS OPERATOR 1 <<<, FUNCTION 1 rev_cmp(int, int);
CREATE INDEX nums_n_rev ON nums (n rev_ops);
