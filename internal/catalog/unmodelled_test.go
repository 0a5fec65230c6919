package catalog_test

import (
	"strings"
	"testing"
)

// Objects of kinds pg-flux does not model are listed, not left out
// silently; extension members and modelled kinds (operator classes and
// families) are not.
func TestInspectListsUnmodelledObjects(t *testing.T) {
	m := inspect(t, `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE t (id int, s text);
CREATE FUNCTION rev_cmp(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp(b, a) $$;
CREATE OPERATOR CLASS rev_ops FOR TYPE int USING btree AS FUNCTION 1 rev_cmp(int, int);
CREATE OPERATOR FAMILY fam USING hash;
CREATE OPERATOR CLASS own_ops FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int);
ALTER OPERATOR FAMILY own_ops USING btree ADD FUNCTION 1 (int, int8) btint48cmp(int, int8);
CREATE TYPE half;
CREATE DOMAIN posint AS int;
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE FUNCTION posint_text(posint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::int::text $$;
CREATE CAST (posint AS text) WITH FUNCTION posint_text(posint);
CREATE CONVERSION conv FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
CREATE TEXT SEARCH DICTIONARY dict (TEMPLATE = simple);
CREATE TEXT SEARCH TEMPLATE tmpl (LEXIZE = dsimple_lexize, INIT = dsimple_init);
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER srv FOREIGN DATA WRAPPER w;
CREATE FOREIGN TABLE ft (a int) SERVER srv;
CREATE RULE t_ignore AS ON DELETE TO t DO INSTEAD NOTHING;
CREATE VIEW v AS SELECT id FROM t;
`, "public")
	want := []string{
		"cast (public.posint AS text)",
		"conversion public.conv",
		"foreign table public.ft",
		"rule t_ignore on public.t",
		"shell type public.half",
		"text search dictionary public.dict",
		"text search template public.tmpl",
	}
	if got := strings.Join(m.Unmodelled, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("unmodelled objects:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if len(inspect(t, `CREATE TABLE t (id int)`, "public").Unmodelled) != 0 {
		t.Error("a plain schema lists unmodelled objects")
	}
}
