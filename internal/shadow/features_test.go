package shadow

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestNewerFeatureIn(t *testing.T) {
	for _, c := range []struct {
		sql   string
		major int
		want  string
	}{
		{"CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT;", 14, "NULLS NOT DISTINCT (unique constraints and indexes) needs PostgreSQL 15 or newer; the server is PostgreSQL 14"},
		{"CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT;", 15, ""},
		{"CREATE PUBLICATION p FOR TABLES IN SCHEMA s;", 14, "publications of whole schemas"},
		{"CREATE PUBLICATION p FOR TABLE t (a, b);", 14, "row filters"},
		{"CREATE PUBLICATION p FOR TABLE t;", 14, ""},
		{"CREATE PUBLICATION p FOR TABLE s.t WHERE (a > 1);", 14, "row filters"},
		{"CREATE PUBLICATION p FOR TABLE t WITH (publish = 'insert');", 14, ""},
		{"CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);", 17, "virtual generated columns"},
		{"CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);", 17, ""},
		{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;", 17, "NOT ENFORCED constraints needs PostgreSQL 18"},
		{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;", 18, ""},
		{"GRANT SELECT, MAINTAIN ON t TO r;", 16, "MAINTAIN"},
	} {
		got := newerFeatureIn(c.sql, c.major)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("newerFeatureIn(%q, %d) = %q, want %q", c.sql, c.major, got, c.want)
		}
	}
}

// A source using a feature newer than the server fails with a message that
// names the feature and both majors, not with a bare syntax error.
func TestLoadNamesFeatureOfNewerMajor(t *testing.T) {
	var sql, want string
	switch m := pgtest.Major(); {
	case m < 15:
		sql, want = "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a) NULLS NOT DISTINCT;", "NULLS NOT DISTINCT (unique constraints and indexes) needs PostgreSQL 15 or newer; the server is PostgreSQL 14"
	case m < 17:
		sql, want = "CREATE TABLE t (a int);\nGRANT SELECT, MAINTAIN ON t TO PUBLIC;", fmt.Sprintf("the MAINTAIN privilege needs PostgreSQL 17 or newer; the server is PostgreSQL %d", m)
	default:
		// The source parser (PostgreSQL 17's grammar) rejects PostgreSQL
		// 18's new syntax before any server sees it.
		t.Logf("gated: no feature newer than PostgreSQL %d passes the source parser; TestNewerFeatureIn covers the messages", m)
		return
	}
	_, err := load(t, dsnServer(t), sourceSet(t, map[string]string{"a.sql": sql}))
	le := loadError(t, err)
	if len(le.Failures) != 1 {
		t.Fatalf("failures: %v", err)
	}
	if f := le.Failures[0]; f.Line != 2 || f.Message != want || f.Detail == "" {
		t.Errorf("got %s\nwant message %q", f, want)
	}
}
