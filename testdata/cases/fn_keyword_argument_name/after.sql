CREATE TABLE docs (id int PRIMARY KEY, body json);

-- "json" is no keyword to PostgreSQL 15, which prints these names bare;
-- newer grammars need them quoted.
CREATE FUNCTION doc_put("json" json DEFAULT '{}', id int DEFAULT 0, OUT "integer" int) LANGUAGE sql
AS $$ SELECT id $$;
CREATE FUNCTION doc_rows("json" json) RETURNS TABLE("json" json, id int) LANGUAGE sql
AS $$ SELECT body, id FROM docs $$;
COMMENT ON FUNCTION doc_rows(json) IS 'rows as json';
REVOKE EXECUTE ON FUNCTION doc_rows(json) FROM PUBLIC;
