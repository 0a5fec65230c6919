package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any bytes as a config file give a File or a *Error whose line
// is in the file; never a panic or a hang.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"# only a comment\n",
		"schema_dir: schema\nmigrations_dir: migrations\ntarget_schemas: [public, billing]\n",
		"db: postgres://u:secret@h/db\nlock_timeout: 5s\nlock_retries: 3\n",
		"allow_hazards:\n  - DATA_LOSS\n  - MASS_DROP\nmass_drop_threshold: 40%\n",
		"schema: x\nschema: y\n",
		"a: &x [1, 2]\nb: *x\ntarget_schemas: *x\n",
		"- a\n- b\n",
		"lock_timeout: [1, 2]\n",
		"manage_owners: maybe\n",
		"key: 'unterminated\n",
		"\t: tab\n",
		"target_schemas: {a: b}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("cfg.yml", data)
		// YAML, like most editors, counts CR, LF and CRLF as line breaks.
		text := strings.ReplaceAll(string(data), "\r\n", "\n")
		lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 1
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if e.Line < 0 || e.Line > lines+1 {
				t.Fatalf("error line %d outside 0..%d: %v", e.Line, lines, e)
			}
			if !strings.HasPrefix(e.Error(), "cfg.yml") {
				t.Fatalf("error does not name the file: %v", e)
			}
			return
		}
		for _, w := range file.Warnings {
			if w.Line < 1 || w.Line > lines+1 {
				t.Fatalf("warning line %d outside 1..%d: %v", w.Line, lines, w)
			}
		}
	})
}
