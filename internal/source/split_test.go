package source

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	sql := `-- users and their orders
/* a block
   comment; with a semicolon */
CREATE TABLE users (
    id bigint PRIMARY KEY,
    note text DEFAULT 'a; b'   -- not the end; really
);

CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM 1; RETURN 2;
END
$body$;
  CREATE INDEX CONCURRENTLY users_note ON users (note) ;;
SET search_path = '';
CREATE VIEW "v;1" AS SELECT 'x'';' AS "a;b" -- trailing comment
`
	got, err := Split("schema/a.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{
		{File: "schema/a.sql", Line: 4, Node: "CreateStmt", SQL: "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    note text DEFAULT 'a; b'   -- not the end; really\n)"},
		{File: "schema/a.sql", Line: 9, Node: "CreateFunctionStmt", SQL: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n    PERFORM 1; RETURN 2;\nEND\n$body$"},
		{File: "schema/a.sql", Line: 14, Node: "IndexStmt", SQL: "CREATE INDEX CONCURRENTLY users_note ON users (note)", NoTransaction: true},
		{File: "schema/a.sql", Line: 15, Node: "VariableSetStmt", SQL: "SET search_path = ''"},
		{File: "schema/a.sql", Line: 16, Node: "ViewStmt", SQL: `CREATE VIEW "v;1" AS SELECT 'x'';' AS "a;b"`},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements, want %d: %#v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

func TestSplitLinesAfterMultibyteText(t *testing.T) {
	sql := "COMMENT ON SCHEMA public IS 'größe ✓';\n\n\nCREATE TABLE t ();"
	got, err := Split("f.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Line != 4 || got[1].SQL != "CREATE TABLE t ()" {
		t.Fatalf("got %#v", got)
	}
}

func TestSplitByteOrderMarkAndCRLF(t *testing.T) {
	got, err := Split("f.sql", "\ufeffCREATE TABLE a ();\r\n\r\nCREATE TABLE b ();\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SQL != "CREATE TABLE a ()" || got[1].Line != 3 || got[1].SQL != "CREATE TABLE b ()" {
		t.Fatalf("got %#v", got)
	}
}

func TestSplitEmpty(t *testing.T) {
	for _, sql := range []string{"", "  \n", "-- only a comment\n", ";;;", "/* x */"} {
		got, err := Split("f.sql", sql)
		if err != nil || len(got) != 0 {
			t.Errorf("Split(%q) = %v, %v; want no statements", sql, got, err)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		line      int
		msg       string
	}{
		{"syntax", "CREATE TABLE a ();\n\nCREATE TABLE b (\n  id int,,\n);", 4, `syntax error at or near ","`},
		{"syntax after multibyte", "COMMENT ON SCHEMA public IS 'ééééééééé';\nCREAT TABLE x ();", 2, `syntax error at or near "CREAT"`},
		{"unterminated string", "CREATE TABLE a ();\nCOMMENT ON TABLE a IS 'oops;\n", 2, "unterminated quoted string"},
		{"unterminated dollar", "CREATE FUNCTION f() RETURNS int AS $$\nselect 1;\n", 1, "unterminated dollar-quoted string"},
		{"connect", "SET x = 1;\n\\connect app\nCREATE TABLE a ();", 2, `psql meta-command \connect is not SQL; remove it`},
		{"restrict", "\\restrict Ab12Cd\n\nCREATE TABLE a ();\n\n\\unrestrict Ab12Cd\n", 1, `psql meta-command \restrict is not SQL`},
		{"indented meta", "CREATE TABLE a ();\n   \\set ON_ERROR_STOP on\n", 2, `psql meta-command \set is not SQL`},
		{"copy data", "CREATE TABLE t (a int, b text);\nCOPY public.t (a, b) FROM stdin;\n1\thello\n2\tworld\n\\.\n", 2, "COPY … FROM stdin with inline data is psql input, not SQL"},
		{"copy data with quote", "CREATE TABLE t (a int, b text);\nCOPY t FROM stdin;\n1\tO'Brien\n\\.\n", 4, `psql meta-command \. (end of COPY data) is not SQL`},
		{"nul byte", "CREATE TABLE a ();\nCREATE\x00 TABLE b ();", 2, "NUL byte"},
		{"invalid utf8", "CREATE TABLE a ();\n\nCOMMENT ON TABLE a IS '\xff';", 3, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Split("schema/x.sql", tc.sql)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.File != "schema/x.sql" || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %q (line %d), want line %d and %q", e.Error(), e.Line, tc.line, tc.msg)
			}
		})
	}
}

func TestSplitMetaCommandInsideStringIsText(t *testing.T) {
	sql := "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\nSELECT '\n\\connect x'\n$$;\nCOMMENT ON FUNCTION f() IS '\n\\d';"
	got, err := Split("f.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d statements", len(got))
	}
}

// checkFlag splits each statement of cases with split and checks the
// flag that of reads from the first statement.
func checkFlag(t *testing.T, flag string, split func(sql string) ([]Statement, error), of func(Statement) bool, cases map[string]bool) {
	t.Helper()
	for sql, want := range cases {
		got, err := split(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if of(got[0]) != want {
			t.Errorf("%s: %s = %v, want %v", sql, flag, of(got[0]), want)
		}
	}
}

// splitF splits sql as the file f.sql.
func splitF(sql string) ([]Statement, error) { return Split("f.sql", sql) }

func TestSplitLate(t *testing.T) {
	checkFlag(t, "Late", splitF, func(s Statement) bool { return s.Late }, map[string]bool{
		"ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO r":   true,
		"CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f()":       true,
		"ALTER EVENT TRIGGER e DISABLE":                                        true,
		"COMMENT ON EVENT TRIGGER e IS 'x'":                                    true,
		"ALTER EVENT TRIGGER e OWNER TO r":                                     true,
		"ALTER EVENT TRIGGER e RENAME TO f":                                    true,
		"COMMENT ON TABLE t IS 'x'":                                            false,
		"GRANT SELECT ON t TO r":                                               false,
		"CREATE TRIGGER t AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()": false,
		"ALTER TABLE t OWNER TO r":                                             false,
	})
}

func TestSplitNoTransaction(t *testing.T) {
	checkFlag(t, "NoTransaction", splitF, func(s Statement) bool { return s.NoTransaction }, map[string]bool{
		"CREATE INDEX CONCURRENTLY i ON t (a)":  true,
		"CREATE INDEX i ON t (a)":               false,
		"DROP INDEX CONCURRENTLY IF EXISTS i":   true,
		"DROP INDEX i":                          false,
		"REINDEX (CONCURRENTLY) INDEX i":        true,
		"REINDEX INDEX CONCURRENTLY i":          true,
		"REINDEX TABLE t":                       false,
		"VACUUM t":                              true,
		"ALTER TYPE e ADD VALUE 'x'":            false,
		"ALTER TABLE t ADD COLUMN b int":        false,
		"CREATE DATABASE d":                     true,
		"CLUSTER":                               true,
		"ALTER TABLE t VALIDATE CONSTRAINT c_1": false,
	})
}

func TestSplitTransactionScoped(t *testing.T) {
	scoped := func(s Statement) bool { return s.TransactionScoped }
	checkFlag(t, "TransactionScoped", splitF, scoped, map[string]bool{
		"SET LOCAL search_path = app":                                       true,
		"SET search_path = local":                                           false,
		"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE":                      true,
		"SET statement_timeout = 0":                                         false,
		"SELECT pg_catalog.set_config('search_path', '', false)":            false,
		"SELECT pg_catalog.set_config('search_path', '', true)":             true,
		"SELECT set_config('a.b', 'c', false), set_config('d', 'e', 1 = 1)": true,
		"SELECT app.setup()":                                                true,
		"CREATE TEMP TABLE t (id int)":                                      true,
		"CREATE TABLE t (local int, temp int CHECK (temp IN (1, 2)))":       false,
		"CREATE TEMPORARY TABLE t AS SELECT 1":                              true,
		"CREATE TABLE t AS SELECT 1":                                        false,
		"DO $$ BEGIN NULL; END $$":                                          true,
		"LOCK TABLE t":                                                      true,
		"SET CONSTRAINTS ALL DEFERRED":                                      true,
		"CREATE INDEX i ON t (a)":                                           false,
	})
	// A statement only PostgreSQL 18 parses has no tree: its keywords tell.
	unparsed := func(sql string) ([]Statement, error) {
		got, err := SplitFor("f.sql", sql, 18)
		if err == nil && !got[0].Unparsed {
			err = errors.New("parsed")
		}
		return got, err
	}
	checkFlag(t, "TransactionScoped", unparsed, scoped, map[string]bool{
		"CREATE TEMP TABLE t (v int GENERATED ALWAYS AS (1) VIRTUAL)": true,
		"CREATE TABLE t (v int GENERATED ALWAYS AS (1) VIRTUAL)":      false,
	})
}

func TestWarmParserLeavesTheParserWorking(t *testing.T) {
	WarmParser()
	WarmParser()
	stmts, err := Split("a.sql", "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);")
	if err != nil || len(stmts) != 2 || stmts[1].Node != "IndexStmt" {
		t.Fatalf("after WarmParser: %v, %+v", err, stmts)
	}
}

// TestLineIndexCountsAsLineAt: the index gives every offset of a text the
// line counting its newlines gives, at the ends and past them too.
func TestLineIndexCountsAsLineAt(t *testing.T) {
	for _, sql := range []string{"", "\n", "SELECT 1;", "\n\nA;\r\nB;\n\n", "CREATE TABLE t (\n  a int\n);\nCREATE INDEX i ON t (a);"} {
		lines := newLineIndex(sql)
		for off := -1; off <= len(sql)+1; off++ {
			if got, want := lines.at(off), lineAt(sql, off); got != want {
				t.Errorf("%q at %d: line %d, want %d", sql, off, got, want)
			}
		}
	}
}

// TestSplitLinesAcrossAFile: each statement of a long file has its own
// line, in one pass and in the fallback's (a statement only PostgreSQL 18
// parses makes the file fail to parse whole).
func TestSplitLinesAcrossAFile(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "-- table %d\nCREATE TABLE t%d (\n  id int\n);\n", i, i)
	}
	for name, tail := range map[string]string{"parsed": "", "fallback": "ALTER TABLE t0 ALTER COLUMN id SET NOT NULL NOT VALID;\n"} {
		stmts, err := SplitFor("a.sql", b.String()+tail, FallbackMajor)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fallback := len(stmts) > 300 && stmts[300].Unparsed; fallback != (tail != "") {
			t.Fatalf("%s: the file went through the fallback: %v", name, fallback)
		}
		for i := range 300 {
			if want := 2 + 4*i; stmts[i].Line != want {
				t.Fatalf("%s: statement %d at line %d, want %d", name, i, stmts[i].Line, want)
			}
		}
	}
}
