CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION concat_sfunc(acc text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN acc = '' THEN v ELSE acc || ',' || v END $$;
CREATE AGGREGATE concat_all(text) (SFUNC = concat_sfunc, STYPE = text, INITCOND = '');
COMMENT ON AGGREGATE concat_all(text) IS 'comma list';
