CREATE TABLE nums (id int PRIMARY KEY, n int NOT NULL, m bigint);
CREATE FUNCTION rev_cmp(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp(b, a) $$;
CREATE DOMAIN posint AS int;
