package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestInvalidIndexDrift: a unique index that CREATE INDEX CONCURRENTLY left
// INVALID over duplicate rows enforces nothing. drift reports it, plan
// rebuilds it with REINDEX INDEX CONCURRENTLY, and applying that fails as
// the build did while the duplicates remain, leaving things as they were,
// and succeeds once they are gone.
func TestInvalidIndexDrift(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE k (id int, code text); INSERT INTO k VALUES (1, 'a'), (2, 'a')")
	// Alone in its query string: CONCURRENTLY cannot run in the implicit
	// transaction of a multi-statement one.
	conn := p.db.Connect(t)
	_, err := conn.Exec(context.Background(), "CREATE UNIQUE INDEX CONCURRENTLY k_code ON k (code)")
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("CREATE UNIQUE INDEX CONCURRENTLY over duplicates: %v, want a unique violation", err)
	}
	if v := p.scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'k_code'::regclass"); v != "false" {
		t.Fatalf("k_code: indisvalid=%s, want an INVALID index", v)
	}
	p.write("schema/k.sql", "CREATE TABLE k (id int, code text);\nCREATE UNIQUE INDEX k_code ON k (code);\n")

	const line = "~ index public.k_code: invalid in live (a failed CREATE INDEX CONCURRENTLY?), to be rebuilt\n"
	r := p.must(1, "drift", "--strict")
	if !strings.Contains(r.stdout, "drift: 1 difference(s)") || !strings.Contains(r.stdout, line) {
		t.Errorf("drift --strict:\n%s\nwant %q", r, line)
	}

	r = p.must(0, "plan")
	if !strings.Contains(r.stdout, "REINDEX INDEX CONCURRENTLY public.k_code;") || !strings.Contains(r.stdout, "rebuild invalid index public.k_code") {
		t.Errorf("plan:\n%s", r)
	}
	r = p.must(0, "migrate", "generate", "--label", "rebuild k_code")
	files := p.migrations()
	if len(files) != 1 {
		t.Fatalf("generate wrote %d files:\n%s", len(files), r)
	}

	// The duplicates are still there: the rebuild fails with PostgreSQL's
	// error, and leaves the index as it was, with no half-built copy.
	r = p.run("migrate", "apply")
	if r.code == 0 || !strings.Contains(r.stderr, "could not create unique index") || !strings.Contains(r.stderr, "23505") {
		t.Errorf("apply over duplicates: want a unique violation\n%s", r)
	}
	if v := p.scalar(`SELECT string_agg(c.relname || ':' || i.indisvalid, ' ' ORDER BY c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'k'::regclass`); v != "k_code:false" {
		t.Errorf("indexes of k after the failed apply: %s, want k_code:false alone", v)
	}

	p.db.Exec(t, "DELETE FROM k WHERE id = 2")
	p.must(0, "migrate", "apply")
	if v := p.scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'k_code'::regclass"); v != "true" {
		t.Errorf("k_code after apply: indisvalid=%s", v)
	}
	if r := p.must(0, "drift", "--strict"); !strings.Contains(r.stdout, "drift: clean") {
		t.Errorf("drift after apply:\n%s", r)
	}
	if r := p.must(0, "plan"); !strings.Contains(r.stdout, "No changes") {
		t.Errorf("plan after apply:\n%s", r)
	}
}
