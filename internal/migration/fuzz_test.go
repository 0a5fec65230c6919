package migration

import (
	"errors"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/source"
)

// FuzzParseFile: any bytes as a migration file parse to a File whose
// header hashes are single words and whose statements have lines inside
// the file, or to a *source.Error with a line inside the file; never a
// panic. A file rendered from what was parsed parses to the same steps.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		"",
		"-- pg-flux migration 20260520_103245_add_role\n-- baseline: sha256:aa\n-- result:   sha256:bb\n-- [HAZARD DATA_LOSS] x\n\n-- add column\nALTER TABLE t ADD COLUMN c int;\n",
		"-- baseline:\n-- result:\nSELECT 1;",
		"-- baseline: sha256:a sha256:b\r\n-- result: \t sha256:c\r\nCREATE TABLE t (id int);\r\n",
		"CREATE INDEX CONCURRENTLY i ON t (a);\nALTER TYPE e ADD VALUE 'x';\nALTER TABLE t VALIDATE CONSTRAINT c;\n",
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; -- trailing\n",
		"SELECT 'unterminated",
		"-- only a comment",
		"--\n--\n--",
		"ALTER TABLE t ADD COLUMN c int -- comment at the end",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := parseFile("m.sql", data)
		lines := strings.Count(string(data), "\n") + 1
		if err != nil {
			var e *source.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *source.Error: %v", err, err)
			}
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error line %d outside 1..%d: %v", e.Line, lines, e)
			}
			return
		}
		for _, h := range []string{file.Baseline, file.Result} {
			if strings.ContainsAny(h, " \t\r\n") {
				t.Fatalf("header hash %q is not one word", h)
			}
		}
		if len(file.Steps) != len(file.Statements) {
			t.Fatalf("%d steps for %d statements", len(file.Steps), len(file.Statements))
		}
		for _, st := range file.Statements {
			if st.Line < 1 || st.Line > lines {
				t.Fatalf("statement line %d outside 1..%d: %q", st.Line, lines, st.SQL)
			}
		}
		// Render what was read and read it again: same statements, same
		// isolation, same hashes.
		again, err := parseFile("m.sql", Render("m", file.Baseline, file.Result, []hazard.Finding{}, file.Steps))
		if err != nil {
			t.Fatalf("rendered file does not parse: %v", err)
		}
		if again.Baseline != file.Baseline || again.Result != file.Result || len(again.Steps) != len(file.Steps) {
			t.Fatalf("round trip: baseline %q→%q result %q→%q steps %d→%d", file.Baseline, again.Baseline, file.Result, again.Result, len(file.Steps), len(again.Steps))
		}
		for i := range file.Steps {
			if again.Steps[i].Isolation != file.Steps[i].Isolation {
				t.Fatalf("step %d isolation %v → %v", i+1, file.Steps[i].Isolation, again.Steps[i].Isolation)
			}
		}
	})
}
