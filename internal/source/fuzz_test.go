package source

import (
	"errors"
	"strings"
	"testing"
)

func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"",
		"CREATE TABLE a (id int);",
		"CREATE TABLE a (note text DEFAULT 'a;b'); -- c;\nSELECT 1",
		"CREATE FUNCTION f() RETURNS int AS $x$ SELECT 1; $x$ LANGUAGE sql;",
		"/* ; */ ;; CREATE VIEW v AS SELECT 'é' AS \"x;y\"\n",
		"\\connect db\nCREATE TABLE t ();",
		"COPY t FROM stdin;\n1\tO'Brien\n\\.\n",
		"SELECT 'unterminated",
		"CREATE INDEX CONCURRENTLY i ON t (a);\nSET search_path = '';",
		pgDumpSchema,
		"E'\\\\';\n\\x",
		"$$",
		"\n\n\n;",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := Split("f.sql", sql)
		lines := strings.Count(sql, "\n") + 1
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error line %d outside 1..%d: %v", e.Line, lines, e)
			}
			return
		}
		for _, st := range stmts {
			if st.Line < 1 || st.Line > lines {
				t.Fatalf("statement line %d outside 1..%d: %q", st.Line, lines, st.SQL)
			}
			if st.SQL == "" || !strings.Contains(sql, st.SQL) {
				t.Fatalf("statement text %q is not a piece of the input", st.SQL)
			}
			if st.Node == "" {
				t.Fatalf("statement %q has no node type", st.SQL)
			}
		}
	})
}
