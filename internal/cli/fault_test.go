package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// buildBinary builds pg-flux into a temporary directory, for tests that
// need a real process to kill. It must run before the test changes
// directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "pg-flux")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/pg-flux")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// holdOpen runs sql in a transaction left open on a session named
// report-job, as an application's long transaction; release commits it.
func holdOpen(t *testing.T, db *pgtest.Database, sql string) (pid uint32, release func()) {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = "report-job"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			c.Exec(ctx, "COMMIT")
			c.Close(ctx)
		})
	}
	t.Cleanup(release)
	return c.PgConn().PID(), release
}

// releaseOnceWaiting calls release once a session of db has waited on a
// lock for hold (or after a minute): a fixed delay from the start of the
// command raced its start-up on a loaded machine.
func releaseOnceWaiting(t *testing.T, db *pgtest.Database, release func(), hold time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer release()
		c, err := pgx.Connect(ctx, db.DSN)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		for ctx.Err() == nil {
			var n int
			err := c.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()").Scan(&n)
			if err == nil && n > 0 {
				time.Sleep(hold)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls query until it returns a row, and returns its first column.
func waitFor(t *testing.T, p *liveProject, what, query string, timeout time.Duration) string {
	t.Helper()
	conn := p.db.Connect(t)
	deadline := time.Now().Add(timeout)
	for {
		var v string
		err := conn.QueryRow(context.Background(), query).Scan(&v)
		if err == nil {
			return v
		}
		if err != pgx.ErrNoRows {
			t.Fatalf("%s: %v", query, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startApply starts `pg-flux migrate apply` as a separate process.
func startApply(t *testing.T, bin string, p *liveProject, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"migrate", "apply"}, args...), p.global...)...)
	cmd.Dir = p.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &stderr
}

// killAndWaitForBackend kills the apply with SIGKILL and waits until the
// server has ended the session the process left behind.
func killAndWaitForBackend(t *testing.T, p *liveProject, cmd *exec.Cmd, backend string) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	waitFor(t, p, "the killed apply's session to end", "SELECT 'gone' WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = "+backend+")", 15*time.Second)
}

// TestKilledDuringConcurrentIndexBuild: an apply killed while CREATE INDEX
// CONCURRENTLY waits leaves an INVALID index and a partial ledger row; the
// next apply resumes after the committed step, drops the INVALID index and
// builds it again.
func TestKilledDuringConcurrentIndexBuild(t *testing.T) {
	bin := buildBinary(t)
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 50000)")
	// CREATE TABLE mark1 fails if it runs twice: the resumed apply must
	// skip it.
	p.write("migrations/001_index.sql", "CREATE TABLE mark1 (id int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS big_id ON big (id);\nCREATE TABLE mark3 (id int);\n")
	// A writer's open transaction makes the build wait.
	_, release := holdOpen(t, p.db, "INSERT INTO big VALUES (0)")

	cmd, out := startApply(t, bin, p, "--lock-timeout", "60s")
	backend := waitFor(t, p, "the index build to wait", `SELECT pid::text FROM pg_stat_activity
		WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'`, 30*time.Second)
	killAndWaitForBackend(t, p, cmd, backend)
	t.Logf("killed apply output:\n%s", out)

	if v := p.scalar("SELECT status || ' ' || steps_done || '/' || steps_total FROM _pgflux.migrations"); v != "partial 1/3" {
		t.Errorf("ledger after the kill: %s", v)
	}
	if v := p.scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_id'::regclass"); v != "false" {
		t.Fatalf("index after the kill: indisvalid=%s, want an INVALID index left behind", v)
	}
	if r := p.must(1, "migrate", "status"); !strings.Contains(r.stdout, "partial (1/3 steps)") {
		t.Errorf("status:\n%s", r)
	}
	release()

	p.must(0, "migrate", "apply")
	if v := p.scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_id'::regclass"); v != "true" {
		t.Errorf("index after resume: indisvalid=%s", v)
	}
	if v := p.scalar("SELECT count(*)::text FROM pg_index WHERE NOT indisvalid"); v != "0" {
		t.Errorf("%s INVALID index(es) left", v)
	}
	if v := p.scalar("SELECT status || ' ' || steps_done || '/' || steps_total FROM _pgflux.migrations"); v != "applied 3/3" {
		t.Errorf("ledger after resume: %s", v)
	}
	if v := p.scalar("SELECT (to_regclass('mark3') IS NOT NULL)::text"); v != "true" {
		t.Error("step 3 did not run")
	}
}

// TestKilledDuringTransactionalStep: an apply killed while a later
// transactional group waits for a lock keeps the steps committed before it;
// the next apply runs only the rest.
func TestKilledDuringTransactionalStep(t *testing.T) {
	bin := buildBinary(t)
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
	p.write("migrations/001_multi.sql", "CREATE TABLE m1 (id int);\n"+
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON t (id);\n"+
		"CREATE TABLE m2 (id int);\n"+
		"ALTER TABLE t ADD COLUMN note text;\n")
	_, release := holdOpen(t, p.db, "SELECT count(*) FROM t")

	cmd, out := startApply(t, bin, p, "--lock-timeout", "60s")
	backend := waitFor(t, p, "ALTER TABLE to wait", `SELECT pid::text FROM pg_stat_activity
		WHERE query LIKE 'ALTER TABLE t ADD COLUMN%' AND wait_event_type = 'Lock'`, 30*time.Second)
	killAndWaitForBackend(t, p, cmd, backend)
	t.Logf("killed apply output:\n%s", out)

	if v := p.scalar("SELECT status || ' ' || steps_done || '/' || steps_total FROM _pgflux.migrations"); v != "partial 2/4" {
		t.Errorf("ledger after the kill: %s", v)
	}
	if v := p.scalar("SELECT (to_regclass('m2') IS NULL)::text"); v != "true" {
		t.Error("m2 exists: the killed transaction was not rolled back")
	}
	release()
	r := p.must(0, "migrate", "apply")
	if !strings.Contains(r.stdout, "Applied 001_multi.sql (2 statements") {
		t.Errorf("resume ran other than the 2 remaining steps:\n%s", r)
	}
	if v := p.scalar("SELECT status || ' ' || steps_done || '/' || steps_total FROM _pgflux.migrations"); v != "applied 4/4" {
		t.Errorf("ledger after resume: %s", v)
	}
	if v := p.scalar("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'"); v != "1" {
		t.Error("column note not added")
	}
}

// TestLockFailureNamesBlocker: a session holding a lock makes apply wait at
// most lock_timeout per try, retry, then fail naming the session. The
// settings come from the config file (migrate apply) and from flags
// (apply).
func TestLockFailureNamesBlocker(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE busy (id int)")
	pid, _ := holdOpen(t, p.db, "SELECT count(*) FROM busy")
	p.write(".pg-flux.yml", "lock_timeout: 200ms\nlock_retries: 1\n")
	p.write("migrations/001_a.sql", "ALTER TABLE busy ADD COLUMN note text;\n")

	check := func(r result, tries int, warning string) {
		t.Helper()
		if r.code == 0 {
			t.Fatalf("succeeded while locked:\n%s", r)
		}
		for _, want := range []string{
			fmt.Sprintf("the lock was not granted in %d attempt(s) of lock_timeout 200ms each; blocked by:", tries),
			fmt.Sprintf("pid %d (user ", pid),
			"application_name report-job, state idle in transaction, transaction open for",
			"SELECT count(*) FROM busy",
			fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid),
			warning,
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r)
			}
		}
	}
	began := time.Now()
	check(p.run("migrate", "apply"), 2, "warning: ALTER TABLE busy ADD COLUMN note text;: lock not granted within lock_timeout 200ms; retry 1 of 1")
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("migrate apply took %s", d)
	}

	p.write("schema/busy.sql", "CREATE TABLE busy (id int, extra text);\n")
	check(p.run("apply", "--lock-timeout", "200ms", "--lock-retries", "2"), 3,
		"warning: step 1 (ALTER TABLE public.busy ADD COLUMN extra text;): lock not granted within lock_timeout 200ms; retry 1 of 2")
}

// TestLockReleasedMidway: apply retries until the blocking transaction ends,
// then succeeds.
func TestLockReleasedMidway(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE busy (id int)")
	_, release := holdOpen(t, p.db, "LOCK TABLE busy IN ACCESS SHARE MODE")
	p.write("migrations/001_a.sql", "ALTER TABLE busy ADD COLUMN note text;\n")
	releaseOnceWaiting(t, p.db, release, time.Second)
	r := p.must(0, "migrate", "apply", "--lock-timeout", "300ms", "--lock-retries", "10")
	if !strings.Contains(r.stderr, "lock not granted within lock_timeout 300ms; retry 1 of 10") {
		t.Errorf("no retry reported:\n%s", r)
	}
}

// TestProgressEventsJSON: with JSON logs, a long step reports progress
// records.
func TestProgressEventsJSON(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 1000)")
	p.write("migrations/001_a.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS big_id ON big (id);\n")
	_, release := holdOpen(t, p.db, "INSERT INTO big VALUES (0)")
	releaseOnceWaiting(t, p.db, release, 1500*time.Millisecond)
	r := p.must(0, "migrate", "apply", "--log-format", "json")
	var events []map[string]any
	for _, line := range strings.Split(r.stderr, "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(line), &ev) == nil && ev["msg"] == "progress" {
			events = append(events, ev)
		}
	}
	if len(events) < 2 {
		t.Fatalf("progress events: %v\n%s", events, r)
	}
	for _, k := range []string{"migration", "statement", "phase", "done", "total"} {
		if _, ok := events[0][k]; !ok {
			t.Errorf("progress event lacks %q: %v", k, events[0])
		}
	}
	if events[0]["migration"] != "001_a.sql" || !strings.HasPrefix(fmt.Sprint(events[0]["phase"]), "waiting for") ||
		events[len(events)-1]["phase"] != "done" {
		t.Errorf("events: %v", events)
	}
}
