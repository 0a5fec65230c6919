package catalog_test

import (
	"strings"
	"testing"
)

// Objects of kinds pg-flux does not model are listed, not left out
// silently; extension members and modelled kinds (operator classes and
// families, casts, foreign tables, inheritance) are not.
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
CREATE TABLE child (extra int) INHERITS (t);
CREATE TYPE pair AS (a int, b int);
CREATE TABLE typed OF pair;
CREATE TABLE parted (id int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
`, "public")
	want := []string{
		"conversion public.conv",
		"shell type public.half",
		"text search dictionary public.dict",
		"text search template public.tmpl",
		"typed table public.typed OF public.pair",
	}
	if got := strings.Join(m.Unmodelled, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("unmodelled objects:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if len(inspect(t, `CREATE TABLE t (id int)`, "public").Unmodelled) != 0 {
		t.Error("a plain schema lists unmodelled objects")
	}
}

// Operator classes are read with their members; a family an operator class
// made for itself only when ALTER OPERATOR FAMILY ADD gave it members of
// its own; extension members never.
func TestInspectOpClasses(t *testing.T) {
	m := inspect(t, `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE FUNCTION rev_cmp(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp(b, a) $$;
CREATE OPERATOR CLASS rev_ops FOR TYPE int USING btree AS FUNCTION 1 rev_cmp(int, int);
CREATE OPERATOR FAMILY fam USING hash;
CREATE DOMAIN posint AS int;
CREATE OPERATOR CLASS fam_ops DEFAULT FOR TYPE posint USING hash FAMILY fam AS OPERATOR 1 = (int, int), FUNCTION 1 (int, int) hashint4(int);
CREATE OPERATOR CLASS own_ops FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int);
ALTER OPERATOR FAMILY own_ops USING btree ADD FUNCTION 1 (int, int8) btint48cmp(int, int8);
`, "public")
	var classes, families []string
	for _, c := range m.SortedOpClasses() {
		classes = append(classes, c.Key()+" "+c.Type+" family="+c.Family+" members="+strings.Join(c.Members, "; "))
	}
	for _, f := range m.SortedOpFamilies() {
		families = append(families, f.Key()+" members="+strings.Join(f.Members, "; "))
	}
	wantClasses := []string{
		// Members whose types are not the class's are the family's (PostgreSQL's
		// amadjustmembers makes them so).
		"public.fam_ops USING hash public.posint family=public.fam members=",
		"public.own_ops USING btree integer family= members=OPERATOR 1 pg_catalog.< (integer, integer); OPERATOR 3 pg_catalog.= (integer, integer); FUNCTION 1 (integer, integer) btint4cmp(integer,integer)",
		"public.rev_ops USING btree integer family= members=FUNCTION 1 (integer, integer) public.rev_cmp(integer,integer)",
	}
	wantFamilies := []string{
		"public.fam USING hash members=OPERATOR 1 pg_catalog.= (integer, integer); FUNCTION 1 (integer, integer) hashint4(integer)",
		"public.own_ops USING btree members=FUNCTION 1 (integer, bigint) btint48cmp(integer,bigint)",
	}
	if got, want := strings.Join(classes, "\n"), strings.Join(wantClasses, "\n"); got != want {
		t.Errorf("classes:\n%s\nwant:\n%s", got, want)
	}
	if got, want := strings.Join(families, "\n"), strings.Join(wantFamilies, "\n"); got != want {
		t.Errorf("families:\n%s\nwant:\n%s", got, want)
	}
	if !m.SortedOpClasses()[0].Default {
		t.Error("fam_ops is not read as DEFAULT")
	}
}
