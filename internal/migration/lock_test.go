package migration

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// holdLock opens a session that holds a lock on table in an open
// transaction, as an application's long transaction would; the returned
// func commits it.
func holdLock(t *testing.T, db *pgtest.Database, sql string) (pid uint32, release func()) {
	t.Helper()
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

func TestApplyLockFailureNamesBlocker(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE busy (id int)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE before_busy (id int);\nALTER TABLE busy ADD COLUMN note text;\n")
	pid, _ := holdLock(t, db, "SELECT count(*) FROM busy")

	began := time.Now()
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, LockTimeout: 300 * time.Millisecond, LockRetries: 2, RetryDelay: 100 * time.Millisecond})
	took := time.Since(began)
	if err == nil {
		t.Fatal("apply succeeded while the table was locked")
	}
	msg := err.Error()
	for _, want := range []string{
		"step 2 of 2 failed (ALTER TABLE busy ADD COLUMN note text;): ERROR: canceling statement due to lock timeout (SQLSTATE 55P03)",
		"the lock was not granted in 3 attempt(s) of lock_timeout 300ms each; blocked by:",
		fmt.Sprintf("pid %d (user ", pid),
		"application_name report-job, state idle in transaction, transaction open for",
		"SELECT count(*) FROM busy",
		fmt.Sprintf("Wait for it to finish or end it with SELECT pg_terminate_backend(%d)", pid),
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// 3 tries of 300ms plus backoff of at most 100ms+200ms.
	if took > 3*time.Second {
		t.Errorf("apply took %s: it must give up after its retries", took)
	}
	// Both steps ran in one transaction: nothing took effect, nothing is
	// recorded as done.
	if tableExists(t, conn, "before_busy") {
		t.Error("the rolled-back group left before_busy behind")
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r != nil {
		t.Errorf("ledger row for a file that never committed a step: %+v", r)
	}
}

func TestApplySucceedsWhenLockReleasedMidway(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE busy (id int)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "ALTER TABLE busy ADD COLUMN note text;\n")
	_, release := holdLock(t, db, "LOCK TABLE busy IN ACCESS SHARE MODE")
	time.AfterFunc(900*time.Millisecond, release)

	began := time.Now()
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir, LockTimeout: 200 * time.Millisecond, LockRetries: 10, RetryDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || time.Since(began) < 900*time.Millisecond {
		t.Errorf("applied %+v after %s", res.Applied, time.Since(began))
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r == nil || r.Status != "applied" {
		t.Errorf("ledger: %+v", r)
	}
}

// TestRetryBackoffHasJitter: the waits between retries grow and are not
// all equal to the nominal delay.
func TestRetryBackoffHasJitter(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE busy (id int)")
	conn := db.Connect(t)
	holdLock(t, db, "LOCK TABLE busy IN ACCESS SHARE MODE")
	if _, err := conn.Exec(ctx, "SET lock_timeout = '20ms'"); err != nil {
		t.Fatal(err)
	}
	var at []time.Time
	err := ExecuteWith(ctx, conn, []plan.Step{{SQL: "ALTER TABLE busy ADD COLUMN note text;"}}, ExecOptions{
		LockRetries: 4, RetryDelay: 80 * time.Millisecond,
		OnRetry: func(step, attempt int, err error) { at = append(at, time.Now()) },
	})
	if err == nil || len(at) != 4 {
		t.Fatalf("err = %v, %d retries", err, len(at))
	}
	// Nominal waits 80, 160, 320ms; each is drawn from [half, all] of it.
	for i := 1; i < len(at); i++ {
		gap := at[i].Sub(at[i-1])
		nominal := 80 * time.Millisecond << (i - 1)
		if gap < nominal/2 || gap > nominal+20*time.Millisecond+200*time.Millisecond {
			t.Errorf("gap %d = %s, want within [%s, %s] plus the lock wait", i, gap, nominal/2, nominal)
		}
	}
}

// TestValidateRunsInItsOwnTransaction: VALIDATE CONSTRAINT commits
// separately from the NOT VALID add before it and the statement after it.
func TestValidateRunsInItsOwnTransaction(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE a (id int); INSERT INTO a VALUES (1)")
	conn := db.Connect(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "001_a.sql", "ALTER TABLE a ADD CONSTRAINT a_pos CHECK (id > 0) NOT VALID;\n"+
		"CREATE TABLE mark1 AS SELECT txid_current() AS x;\n"+
		"ALTER TABLE a VALIDATE CONSTRAINT a_pos;\n"+
		"CREATE TABLE mark2 AS SELECT txid_current() AS x;\n")
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []plan.Isolation{plan.InTransaction, plan.InTransaction, plan.OwnTransaction, plan.InTransaction}
	for i, s := range f.Steps {
		if s.Isolation != want[i] {
			t.Errorf("step %d isolation %v, want %v", i+1, s.Isolation, want[i])
		}
	}
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	var x1, xv, x2 int64
	if err := conn.QueryRow(ctx, `SELECT (SELECT x FROM mark1), (SELECT xmin::text::bigint FROM pg_constraint WHERE conname = 'a_pos'), (SELECT x FROM mark2)`).Scan(&x1, &xv, &x2); err != nil {
		t.Fatal(err)
	}
	if !(x1 < xv && xv < x2) {
		t.Errorf("transactions: add+mark1 %d, validate %d, mark2 %d: VALIDATE must run alone between them", x1, xv, x2)
	}
}

func TestInvalidIndexIsRebuilt(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (1)")
	conn := db.Connect(t)
	stmt := "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);"
	// A failed concurrent build leaves the index INVALID.
	if _, err := conn.Exec(ctx, stmt); err == nil {
		t.Fatal("expected a duplicate-key failure")
	}
	if valid := indexValid(t, conn, "t_x"); valid != "false" {
		t.Fatalf("index after the failed build: valid=%s", valid)
	}
	db.Exec(t, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)")
	if err := ExecuteWith(ctx, conn, []plan.Step{{SQL: stmt, Isolation: plan.NoTransaction}}, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if valid := indexValid(t, conn, "t_x"); valid != "true" {
		t.Errorf("index after the re-run: valid=%s (IF NOT EXISTS must not keep the INVALID one)", valid)
	}
}

func indexValid(t *testing.T, conn *pgx.Conn, name string) string {
	t.Helper()
	var v string
	if err := conn.QueryRow(ctx, "SELECT coalesce((SELECT indisvalid::text FROM pg_index WHERE indexrelid = to_regclass($1)), 'missing')", name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type recordedProgress struct {
	mu       sync.Mutex
	updates  []ProgressEvent
	finished []ProgressEvent
}

func (p *recordedProgress) Update(ev ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, ev)
}

func (p *recordedProgress) Finish(ev ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = append(p.finished, ev)
}

// TestProgressOfConcurrentIndexBuild: while a concurrent build waits for a
// writer's transaction, progress shows PostgreSQL's phase and the blocker.
func TestProgressOfConcurrentIndexBuild(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 1000)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS big_id ON big (id);\n")
	pid, release := holdLock(t, db, "INSERT INTO big VALUES (0)")
	time.AfterFunc(1500*time.Millisecond, release)
	p := &recordedProgress{}
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, Progress: p, LockTimeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.updates) == 0 || len(p.finished) != 1 {
		t.Fatalf("updates %+v, finished %+v", p.updates, p.finished)
	}
	ev := p.updates[0]
	if ev.Migration != "001_a.sql" || ev.Step != 1 || ev.Steps != 1 || !strings.HasPrefix(ev.Statement, "CREATE INDEX CONCURRENTLY") ||
		!strings.HasPrefix(ev.Phase, "waiting for") || len(ev.Blockers) != 1 || ev.Blockers[0].PID != int(pid) {
		t.Errorf("first update: %+v", ev)
	}
	if indexValid(t, conn, "big_id") != "true" {
		t.Error("index not built")
	}
}

func TestApplyStatementTimeout(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE slow AS SELECT 1 AS x FROM pg_sleep(2);\n")
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, StatementTimeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "canceling statement due to statement timeout (SQLSTATE 57014)") {
		t.Fatalf("err = %v", err)
	}
	var after string
	if err := conn.QueryRow(ctx, "SELECT current_setting('statement_timeout')").Scan(&after); err != nil || after != "0" {
		t.Errorf("statement_timeout after apply = %q, %v", after, err)
	}
}

// TestApplyResumesAfterConnectionDropped: the apply's session is ended by
// pg_terminate_backend while a later group waits; the next apply, on a new
// connection, runs only what did not commit.
func TestApplyResumesAfterConnectionDropped(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE busy (id int)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE first (id int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS busy_id ON busy (id);\nALTER TABLE busy ADD COLUMN note text;\nCREATE TABLE last (id int);\n")
	_, release := holdLock(t, db, "SELECT count(*) FROM busy")
	admin := db.Connect(t)
	go func() {
		for i := 0; i < 200; i++ {
			time.Sleep(50 * time.Millisecond)
			var n int
			admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE query LIKE 'ALTER TABLE busy%' AND wait_event_type = 'Lock'`).Scan(&n)
			if n > 0 {
				return
			}
		}
	}()
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, LockTimeout: 30 * time.Second})
	if err == nil {
		t.Fatal("apply survived its terminated connection")
	}
	release()
	fresh := db.Connect(t)
	r := ledgerRows(t, fresh)["001_a.sql"]
	if r == nil || r.Status != "partial" || r.StepsDone != 2 {
		t.Fatalf("ledger after the dropped connection: %+v (err %v)", r, err)
	}
	res, err := Apply(ctx, fresh, ApplyOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || res.Applied[0].FirstStep != 2 {
		t.Errorf("resumed: %+v", res.Applied)
	}
	if r := ledgerRows(t, fresh)["001_a.sql"]; r.Status != "applied" || r.StepsDone != 4 || !tableExists(t, fresh, "last") {
		t.Errorf("ledger after resume: %+v", r)
	}
}

// TestLockFailureNamesBlockerWithoutPoll: with a lock_timeout shorter than
// the first poll, the blocker is found from pg_locks on the statement's
// table.
func TestLockFailureNamesBlockerWithoutPoll(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE SCHEMA app; CREATE TABLE app.busy (id int)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "ALTER TABLE app.busy ADD COLUMN note text;\n")
	pid, _ := holdLock(t, db, "SELECT count(*) FROM app.busy")
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, Schemas: []string{"app"}, LockTimeout: 20 * time.Millisecond, LockRetries: -1})
	if err == nil || !strings.Contains(err.Error(), "the lock was not granted in 1 attempt(s) of lock_timeout 20ms each; blocked by:\n  "+fmt.Sprintf("pid %d", pid)) {
		t.Fatalf("err = %v", err)
	}
}
