package source

import (
	"strings"
	"testing"
)

func TestParseHints(t *testing.T) {
	sql := `-- a table renamed
-- @renamed from=people
CREATE TABLE app.persons (
    id bigint PRIMARY KEY,
    full_name text, -- @renamed from=name
    -- @renamed from="Mail Address"
    email text,
    age integer -- @using age_text::integer
);

CREATE TYPE mood AS ENUM (
    'happy', -- @renamed from=glad
    -- @renamed from=sad
    'unhappy'
);
-- @renamed from=old_idx
CREATE INDEX persons_email ON app.persons (email);
CREATE VIEW v AS SELECT 1 AS x; -- @renamed from=old_v
-- @renamed from=f_old
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
-- @renamed from=s_old
CREATE SEQUENCE s;
-- @author someone: an ordinary comment
CREATE TABLE plain (a int);
`
	hints, err := ParseHints("schema/x.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hints {
		tg := h.Target
		s := h.Where() + " @" + h.Name + " " + tg.Kind + " " + tg.Schema + "." + tg.Name
		if tg.Column != "" {
			s += "." + tg.Column
		}
		if tg.Value != "" {
			s += " '" + tg.Value + "'"
		}
		if h.Name == "renamed" {
			s += " from=" + h.Params["from"]
		} else {
			s += " value=" + h.Value
		}
		got = append(got, s)
	}
	want := []string{
		"schema/x.sql:2 @renamed table app.persons from=people",
		"schema/x.sql:5 @renamed column app.persons.full_name from=name",
		"schema/x.sql:6 @renamed column app.persons.email from=Mail Address",
		"schema/x.sql:8 @using column app.persons.age value=age_text::integer",
		"schema/x.sql:12 @renamed enum value .mood 'happy' from=glad",
		"schema/x.sql:13 @renamed enum value .mood 'unhappy' from=sad",
		"schema/x.sql:16 @renamed index app.persons_email from=old_idx",
		"schema/x.sql:18 @renamed view .v from=old_v",
		"schema/x.sql:19 @renamed function .f from=f_old",
		"schema/x.sql:21 @renamed sequence .s from=s_old",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseHintsErrors(t *testing.T) {
	for name, tc := range map[string]struct{ sql, want string }{
		"no from":      {"CREATE TABLE t (\n a int -- @renamed to=b\n);", "x.sql:2: hint @renamed: needs from=<name>"},
		"nothing":      {"CREATE TABLE t (a int);\n-- @renamed from=q\n", "x.sql:2: hint @renamed is not beside"},
		"using empty":  {"CREATE TABLE t (\n a int -- @using\n);", "x.sql:2: hint @using: needs a value"},
		"not a create": {"-- @renamed from=x\nALTER TABLE t ADD COLUMN b int;", "x.sql:1: hint @renamed is not beside"},
	} {
		_, err := ParseHints("x.sql", tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestLoadCollectsHints(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.sql": "CREATE TABLE t (\n  b int -- @renamed from=a\n);\n",
		"b.sql": "CREATE TABLE u (x int); -- no hint here\n",
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Hints) != 1 || set.Hints[0].Target.Column != "b" || set.Hints[0].Params["from"] != "a" || set.Hints[0].Line != 2 {
		t.Fatalf("hints = %+v", set.Hints)
	}
}

// An enum label is a string, not an identifier: the hint's old value is
// kept as written, where a column's old name is folded.
func TestParseHintsEnumValueKeepsCase(t *testing.T) {
	sql := "CREATE TYPE rating AS ENUM (\n    'G',\n    'PG-13', -- @renamed from=PG-Thirteen\n    -- @renamed from=NC17\n    'NC-17'\n);\n" +
		"CREATE TABLE films (\n    Title text -- @renamed from=Name\n);\n"
	hints, err := ParseHints("x.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hints {
		got = append(got, h.Target.Kind+" "+h.Target.Value+h.Target.Column+" from="+h.Params["from"])
	}
	want := []string{"enum value PG-13 from=PG-Thirteen", "enum value NC-17 from=NC17", "column title from=name"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
