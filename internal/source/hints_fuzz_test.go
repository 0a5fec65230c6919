package source

import (
	"strings"
	"testing"
)

// FuzzParseHints: the hint parser never panics, and what it returns points
// into the input: every hint at a line of the file and of a known name,
// every error at file:line.
func FuzzParseHints(f *testing.F) {
	for _, seed := range []string{
		"",
		"CREATE TABLE t (\n  id int,\n  email text -- @renamed from=mail\n);",
		"-- @renamed from=old_t\nCREATE TABLE t (id int);",
		"CREATE TABLE t (at timestamptz -- @using to_timestamp(at / 1000)\n);",
		"CREATE TYPE mood AS ENUM (\n  'happy', -- @renamed from=glad\n  'sad'\n);",
		"-- @renamed from=\nCREATE VIEW v AS SELECT 1;",
		"-- @renamed from=a\n",
		"-- @using\nCREATE TABLE t (a int);",
		"CREATE TABLE \"T\" (\"a b\" int -- @renamed from=\"c d\"\n);",
		"-- @renamed from=f\nCREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1 -- @renamed from=x\n$$;",
		"CREATE TABLE t (id int); -- @renamed from=u",
		"-- @unknown thing\nCREATE TABLE t ();",
		"-- @renamed from=a\nCREATE TABLE",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		hints, err := ParseHints("h.sql", sql)
		if err != nil {
			if !strings.Contains(err.Error(), "h.sql:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		lines := strings.Count(sql, "\n") + 1
		for _, h := range hints {
			if h.File != "h.sql" || h.Line < 1 || h.Line > lines {
				t.Fatalf("hint at %s outside 1..%d", h.Where(), lines)
			}
			if _, known := hintSyntaxes[h.Name]; !known {
				t.Fatalf("hint of unknown name %q", h.Name)
			}
		}
	})
}
