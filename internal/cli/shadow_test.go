package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// sharedProject is a project with explicit paths (no working directory,
// so several can run at once) whose shadow is the shared server.
type sharedProject struct {
	dir  string
	db   *pgtest.Database
	args []string
}

func newSharedProject(t *testing.T, schema string) *sharedProject {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "schema", "main.sql"), schema)
	db := pgtest.NewDatabase(t)
	return &sharedProject{dir: dir, db: db, args: []string{"--db", db.DSN, "--schema", filepath.Join(dir, "schema"),
		"--migrations-dir", filepath.Join(dir, "migrations")}}
}

func (p *sharedProject) run(t *testing.T, args ...string) result {
	return pgflux(t, append(args, p.args...)...)
}

// scratchDatabases lists the shared server's databases other than the
// ones it keeps (templates of live, the pool of empty ones, the parked
// copies proven on).
func scratchDatabases(t *testing.T) []string {
	t.Helper()
	servers, err := pgserver.SharedServers("")
	if err != nil || len(servers) == 0 {
		t.Fatalf("no shared shadow server: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "host="+filepath.Join(servers[0].Dir, "sock")+" user=postgres dbname=postgres sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'pgflux\_%' AND datname NOT LIKE 'pgflux\_tpl\_%' AND datname NOT LIKE 'pgflux\_pool\_%' AND datname NOT LIKE 'pgflux\_after\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestSharedShadowConcurrent: plans run at once on the shared shadow
// server, one of them while a migration is being applied, and each gets
// its own scratch databases; none is left afterwards.
func TestSharedShadowConcurrent(t *testing.T) {
	cleanEnv(t)
	const v1 = "CREATE TABLE a (id int PRIMARY KEY);\n"
	const v2 = "CREATE TABLE a (id int PRIMARY KEY, note text);\nCREATE INDEX a_note ON a (note);\n"
	applying := newSharedProject(t, v1)
	if r := applying.run(t, "migrate", "generate", "--label", "one"); r.code != 0 {
		t.Fatalf("migrate generate:\n%s", r)
	}
	others := []*sharedProject{newSharedProject(t, v2), newSharedProject(t, v2), applying}
	var wg sync.WaitGroup
	results := make([]result, len(others)+1)
	for i, p := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = p.run(t, "plan")
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		results[len(others)] = applying.run(t, "migrate", "apply")
	}()
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("command %d failed:\n%s", i, r)
		}
	}
	for _, r := range results[:2] {
		if !strings.Contains(r.stdout, "CREATE TABLE") {
			t.Errorf("plan of a new table:\n%s", r)
		}
	}
	if r := applying.run(t, "drift", "--strict"); r.code != 0 {
		t.Fatalf("drift after apply:\n%s", r)
	}
	if left := scratchDatabases(t); len(left) > 0 {
		t.Fatalf("scratch databases left on the shared server: %v", left)
	}
}

// TestSharedShadowKilled: a shared shadow server killed with SIGKILL is
// replaced by the next command; `shadow stop` leaves nothing running.
func TestSharedShadowKilled(t *testing.T) {
	cleanEnv(t)
	p := newSharedProject(t, "CREATE TABLE k (id int);\n")
	if r := p.run(t, "plan", "--no-cache"); r.code != 0 {
		t.Fatalf("plan:\n%s", r)
	}
	servers, err := pgserver.SharedServers("")
	if err != nil || len(servers) != 1 || servers[0].PID == 0 {
		t.Fatalf("want one running shared server, got %+v (%v)", servers, err)
	}
	pid := servers[0].PID
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	r := p.run(t, "plan", "--no-cache", "--verbose")
	if r.code != 0 {
		t.Fatalf("plan after the shadow server was killed:\n%s", r)
	}
	if !strings.Contains(r.stderr, "cache=off") {
		t.Errorf("--verbose should say the cache is off:\n%s", r.stderr)
	}
	servers, _ = pgserver.SharedServers("")
	if len(servers) != 1 || servers[0].PID == 0 || servers[0].PID == pid {
		t.Fatalf("want a new shared server, got %+v (killed %d)", servers, pid)
	}
	// The parse and the desired model are cached apart: both miss, then
	// both hit.
	for _, want := range []string{"cache=miss", "cache=hit"} {
		r := p.run(t, "plan", "--verbose")
		if r.code != 0 {
			t.Fatalf("plan:\n%s", r)
		}
		for _, msg := range []string{`msg="source loaded"`, `msg="desired state loaded"`} {
			if line := logLine(r.stderr, msg); !strings.Contains(line, want) {
				t.Errorf("plan --verbose, %s: want %s, got %q", msg, want, line)
			}
		}
	}
	if r := pgflux(t, "shadow", "status"); r.code != 0 || !strings.Contains(r.stdout, "running") {
		t.Fatalf("shadow status:\n%s", r)
	}
	if r := pgflux(t, "shadow", "stop"); r.code != 0 || !strings.Contains(r.stdout, "stopped PostgreSQL") {
		t.Fatalf("shadow stop:\n%s", r)
	}
	if _, err := os.Stat(servers[0].Dir); !os.IsNotExist(err) {
		t.Fatalf("%s left after shadow stop", servers[0].Dir)
	}
	if err := syscall.Kill(servers[0].PID, 0); err == nil {
		t.Fatalf("the shadow server %d still runs after shadow stop", servers[0].PID)
	}
}

// logLine returns the first --verbose line of stderr that holds msg.
func logLine(stderr, msg string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, msg) {
			return line
		}
	}
	return ""
}

// TestGenerateAfterPlanTakesTheParkedCopy: migrate generate right after
// plan proves its Down on the copy that plan's proof left parked on the
// shared server (its Up comes proven from the cache, without the
// dependencies the Down is planned from: they are read on that copy): the
// copy is renamed into use, not made, and the Up does not run again.
func TestGenerateAfterPlanTakesTheParkedCopy(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p := newSharedProject(t, "CREATE TABLE parked_a (id int PRIMARY KEY, note text);\nCREATE INDEX parked_note ON parked_a (note);\n")
	if r := p.run(t, "plan", "--verbose"); r.code != 0 || !strings.Contains(r.stderr, "parked_taken=0") {
		t.Fatalf("plan:\n%s", r)
	}
	r := p.run(t, "migrate", "generate", "--dry-run", "--verbose", "--down", "inline")
	if r.code != 0 || !strings.Contains(r.stdout, "-- +pg-flux Down") {
		t.Fatalf("migrate generate:\n%s", r)
	}
	if logLine(r.stderr, `msg="plan validated on a scratch copy of live"`) == "" || !strings.Contains(logLine(r.stderr, `msg="plan validated on a scratch copy of live"`), "cache=hit") ||
		logLine(r.stderr, `msg="down proven on the migration's copy of live"`) == "" || !strings.Contains(r.stderr, "parked_taken=1") {
		t.Errorf("the Down was not proven on the parked copy:\n%s", r.stderr)
	}
}
