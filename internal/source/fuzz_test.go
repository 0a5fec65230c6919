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

// FuzzPieces cuts its input into pieces of a few bytes where the parser
// ends statements: parsed a piece at a time, it must give exactly the
// statements of the input parsed whole.
func FuzzPieces(f *testing.F) {
	for _, seed := range []string{
		"CREATE TABLE a (id int); CREATE TABLE b (id int);",
		"CREATE TABLE a (note text DEFAULT 'a;b'); -- c;\n;; /* ; */ CREATE INDEX ON a (note)",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nCREATE VIEW v AS SELECT 1;",
		"CREATE FUNCTION g() RETURNS int AS $x$ SELECT 1; $x$ LANGUAGE sql;\nSET search_path = '';\nCREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);",
		"BEGIN;\nCREATE TABLE t (\"x;y\" int);\nCOMMIT;\n",
		pgDumpSchema,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		whole, err := split("f.sql", sql)
		if err != nil {
			return
		}
		sql = strings.TrimPrefix(sql, "\ufeff") // as split reads it
		const size = 16
		cuts := pieceCuts(sql, size)
		var handed []parsed
		out, ok := splitPieces("f.sql", sql, size, func(run []parsed) { handed = append(handed, run...) })
		if cuts != nil && !ok {
			t.Fatalf("cut at %v, a piece did not parse", cuts)
		}
		if !ok {
			return
		}
		if len(out) != len(whole) || len(handed) != len(whole) {
			t.Fatalf("%d statements in pieces (%d handed on), %d whole", len(out), len(handed), len(whole))
		}
		for i := range whole {
			if out[i].Statement != whole[i].Statement || handed[i].Statement != whole[i].Statement {
				t.Fatalf("statement %d in pieces:\n%+v\nwhole:\n%+v", i, out[i].Statement, whole[i].Statement)
			}
		}
	})
}
