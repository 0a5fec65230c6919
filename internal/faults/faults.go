// Package faults proves that an interrupted `pg-flux migrate apply` can
// always be resumed: it generates migrations with steps of every isolation
// kind (transactional groups, CREATE/DROP INDEX CONCURRENTLY, VALIDATE
// CONSTRAINT, ALTER TYPE … ADD VALUE, staged SET NOT NULL), runs
// `migrate apply` as a child process while an application writes to the
// changed tables, interrupts it at random moments (SIGKILL of the process,
// pg_terminate_backend of its sessions, a crash-restart of the server), runs
// it again until it finishes, and then checks the end state.
//
// The schedule (which changes, which faults, when) comes from one seed, so a
// failing run is replayed with the same seed; the moments a fault hits still
// depend on timing. The kill/resume test runs a few iterations; the soak
// program bench/soak runs many.
package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// Fault kinds.
const (
	SIGKILL   = "sigkill"   // the pg-flux process is killed
	Terminate = "terminate" // pg_terminate_backend of its sessions
	Restart   = "restart"   // the server stops as in a crash and starts again
)

// Kinds lists the fault kinds.
var Kinds = []string{SIGKILL, Terminate, Restart}

// Config says what to run.
type Config struct {
	// Bin is the pg-flux binary.
	Bin string
	// Cluster is a server of our own: Restart faults restart it. Every
	// iteration uses fresh databases on it.
	Cluster *pgserver.Cluster
	Seed    uint64
	// Iterations is how many pairs of migration files are generated; each
	// pair is applied under faults Rounds times (at least 1), each time to
	// a fresh copy of the starting database.
	Iterations int
	Rounds     int
	// RollbackRounds is how many of each pair's rounds go on, once the
	// apply is checked, to roll the second file back under faults in the
	// same way (`migrate rollback`, interrupted and re-run until it
	// finishes), checking the end state against the file's baseline.
	RollbackRounds int
	// MaxFaults is the most faults injected into one iteration (at least 1).
	MaxFaults int
	// Rows in each changed table: more rows make the steps longer, so
	// faults land inside them more often.
	Rows int
	// Log receives one line per apply run and per iteration; nil discards.
	Log io.Writer
}

// Stats are the figures of a run.
type Stats struct {
	// Iterations counts generated pairs of files, Rounds the applies of a
	// pair under faults, each to the end state checked.
	Iterations int
	Rounds     int
	// Runs counts `migrate apply` processes started.
	Runs int
	// Faults counts faults injected by kind; Missed those whose target had
	// already exited (the run finished first).
	Faults map[string]int
	Missed int
	// Failures lists the iterations whose end state was wrong, with why.
	Failures []string
	// RollbackRounds counts rollbacks run under faults to the end state
	// checked, RollbackRuns the `migrate rollback` processes started,
	// RollbackFaults their faults by kind; RollbackSkipped counts rounds
	// whose second file cannot be rolled back (its Down section is
	// refused, e.g. an enum value cannot be removed).
	RollbackRounds  int
	RollbackRuns    int
	RollbackFaults  map[string]int
	RollbackSkipped int
	// WriterRows is how many rows the concurrent writer committed in all.
	WriterRows int
	Elapsed    time.Duration
}

func (s *Stats) String() string {
	var kinds []string
	total := 0
	for _, k := range Kinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, s.Faults[k]))
		total += s.Faults[k]
	}
	var rkinds []string
	rtotal := 0
	for _, k := range Kinds {
		rkinds = append(rkinds, fmt.Sprintf("%s %d", k, s.RollbackFaults[k]))
		rtotal += s.RollbackFaults[k]
	}
	return fmt.Sprintf("%d generated pair(s), %d kill/resume round(s), %d apply run(s), %d fault(s) (%s; %d missed); "+
		"%d rollback round(s) (%d not reversible), %d rollback run(s), %d rollback fault(s) (%s); %d writer row(s), %d failure(s), %s",
		s.Iterations, s.Rounds, s.Runs, total, strings.Join(kinds, ", "), s.Missed,
		s.RollbackRounds, s.RollbackSkipped, s.RollbackRuns, rtotal, strings.Join(rkinds, ", "),
		s.WriterRows, len(s.Failures), s.Elapsed.Round(time.Second))
}

// Run runs cfg.Iterations iterations. An error is a problem of the harness
// (a server that does not start, a generate that fails); wrong end states
// are Stats.Failures.
func Run(ctx context.Context, cfg Config) (*Stats, error) {
	if cfg.MaxFaults < 1 {
		cfg.MaxFaults = 3
	}
	if cfg.Rounds < 1 {
		cfg.Rounds = 1
	}
	if cfg.Rows <= 0 {
		cfg.Rows = 20000
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	st := &Stats{Faults: map[string]int{}, RollbackFaults: map[string]int{}}
	began := time.Now()
	for i := 0; i < cfg.Iterations; i++ {
		// Each iteration has its own stream, so iteration i of a seed is
		// the same whatever ran before it.
		r := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		it := &iteration{cfg: cfg, st: st, r: r, n: i}
		if err := it.run(ctx); err != nil {
			return st, fmt.Errorf("iteration %d (seed %d): %w", i, cfg.Seed, err)
		}
		st.Iterations++
	}
	st.Elapsed = time.Since(began)
	return st, nil
}

type iteration struct {
	cfg  Config
	st   *Stats
	r    *rand.Rand
	n    int
	dir  string
	base string // database with the starting schema and rows
	// window is the span the moment of a fault is drawn from.
	window time.Duration
}

func (it *iteration) logf(format string, args ...any) {
	fmt.Fprintf(it.cfg.Log, "iteration %d: "+format+"\n", append([]any{it.n}, args...)...)
}

func (it *iteration) dsn(db string) string { return it.cfg.Cluster.DSN(db) }

func (it *iteration) run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "pg-flux-faults-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	it.dir = dir

	// The changes of the two files: disjoint random subsets.
	perm := it.r.Perm(len(changes))
	nA := 2 + it.r.IntN(3)
	nB := 2 + it.r.IntN(3)
	a, b := perm[:nA], perm[nA:nA+nB]
	sort.Ints(a)
	sort.Ints(b)
	phase := time.Now()
	defer func() { it.logf("took %s", time.Since(phase).Round(time.Millisecond)) }()
	it.logf("file 1 changes %s; file 2 changes %s", names(a), names(b))

	prefix := fmt.Sprintf("faults_%d_%d", it.cfg.Seed%100000, it.n)
	it.base = prefix + "_base"
	gen, target := prefix+"_gen", prefix+"_target"
	admin := it.dsn("postgres")
	for _, db := range []string{it.base, gen, target} {
		dropDatabase(ctx, admin, db)
	}
	defer func() {
		for _, db := range []string{it.base, gen, target} {
			dropDatabase(context.WithoutCancel(ctx), admin, db)
		}
	}()
	if err := execOn(ctx, admin, "CREATE DATABASE "+ident(it.base)); err != nil {
		return err
	}
	if err := execOn(ctx, it.dsn(it.base), baseSQL(it.cfg.Rows)); err != nil {
		return fmt.Errorf("load base schema: %w", err)
	}
	if err := execOn(ctx, admin, "CREATE DATABASE "+ident(gen)+" TEMPLATE "+ident(it.base)); err != nil {
		return err
	}

	// Generate file 1 against gen, apply it there, generate file 2.
	if err := it.writeSchema(a); err != nil {
		return err
	}
	if out, err := it.pgflux(ctx, gen, "migrate", "generate", "--label", "step1", "--set-not-null-reltuple-hint=1"); err != nil {
		return fmt.Errorf("generate file 1: %w\n%s", err, out)
	}
	began := time.Now()
	if out, err := it.pgflux(ctx, gen, "migrate", "apply"); err != nil {
		return fmt.Errorf("apply file 1 without faults: %w\n%s", err, out)
	}
	// Faults are drawn over about the time both files take to apply.
	it.window = time.Since(began) * 6 / 5
	if err := it.writeSchema(append(slices.Clone(a), b...)); err != nil {
		return err
	}
	if out, err := it.pgflux(ctx, gen, "migrate", "generate", "--label", "step2", "--set-not-null-reltuple-hint=1"); err != nil {
		return fmt.Errorf("generate file 2: %w\n%s", err, out)
	}
	it.logf("generated in %s", time.Since(phase).Round(time.Millisecond))
	files, err := migration.ReadDir(filepath.Join(dir, "migrations"))
	if err != nil {
		return err
	}
	if len(files) != 2 {
		return fmt.Errorf("generated %d file(s), want 2", len(files))
	}

	// Apply both, under faults while the application writes, to fresh
	// copies of the starting database.
	for round := 0; round < it.cfg.Rounds; round++ {
		dropDatabase(ctx, admin, target)
		if err := execOn(ctx, admin, "CREATE DATABASE "+ident(target)+" TEMPLATE "+ident(it.base)); err != nil {
			return err
		}
		w := startWriter(ctx, it.dsn(target), 1)
		runErr := it.underFaults(ctx, target, applyArgs, &it.st.Runs, it.st.Faults)
		acked := w.stop()
		it.st.Rounds++
		it.st.WriterRows += len(acked)
		it.logf("round %d: writer committed %d row(s); %d write(s) failed (last: %v)", round, len(acked), w.failed, w.lastErr)
		if runErr != nil {
			it.fail("round %d: %v", round, runErr)
			continue
		}
		var ledger []string
		for _, f := range files {
			ledger = append(ledger, fmt.Sprintf("%s applied %d/%d", f.Name, len(f.Steps), len(f.Steps)))
		}
		if problems := it.check(ctx, target, files[len(files)-1].Result, ledger, acked); len(problems) > 0 {
			it.fail("round %d: %s", round, strings.Join(problems, "; "))
			continue
		}
		if round < it.cfg.RollbackRounds {
			it.rollbackRound(ctx, round, target, files, acked)
		}
	}
	return nil
}

// Arguments of the runs under faults: lock waits short and retried, so a
// writer's locks do not end a run.
var (
	applyArgs    = []string{"migrate", "apply", "--lock-timeout", "2s", "--lock-retries", "20"}
	rollbackArgs = []string{"migrate", "rollback", "--lock-timeout", "2s", "--lock-retries", "20", "--allow-hazards", allKinds(), "--allow-mass-drop"}
)

func allKinds() string {
	var ks []string
	for _, k := range hazard.Kinds {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ",")
}

// rollbackRound rolls the last file back under faults while the writer
// writes, and checks the end state: the file's baseline, nothing INVALID or
// staged left, the first file alone in the ledger (the second rolled back
// exactly once), every committed row present.
func (it *iteration) rollbackRound(ctx context.Context, round int, target string, files []*migration.File, acked []int64) {
	last := files[len(files)-1]
	// A Down section that is refused (its guards run first) cannot be
	// rolled back: not a fault to resume from.
	if out, err := it.pgflux(ctx, target, append(slices.Clone(rollbackArgs), "--dry-run")...); err != nil {
		it.st.RollbackSkipped++
		it.logf("round %d: %s is not reversible: %s", round, last.Name, firstLine(redact(out)))
		return
	}
	// Ids of its own: a write of the apply's writer whose commit was
	// interrupted may have committed.
	w := startWriter(ctx, it.dsn(target), 1_000_000_000)
	// Rolled back with --to, as a deploy script would: run again after a
	// run that finished its work but was cut before exiting 0, it does
	// nothing instead of undoing the file before.
	args := append(slices.Clone(rollbackArgs), "--to", last.Name)
	runErr := it.underFaults(ctx, target, args, &it.st.RollbackRuns, it.st.RollbackFaults)
	more := w.stop()
	it.st.RollbackRounds++
	it.st.WriterRows += len(more)
	it.logf("round %d rollback: writer committed %d row(s); %d write(s) failed (last: %v)", round, len(more), w.failed, w.lastErr)
	if runErr != nil {
		it.fail("round %d rollback: %v", round, runErr)
		return
	}
	var ledger []string
	for _, f := range files[:len(files)-1] {
		ledger = append(ledger, fmt.Sprintf("%s applied %d/%d", f.Name, len(f.Steps), len(f.Steps)))
	}
	if problems := it.check(ctx, target, last.Baseline, ledger, append(slices.Clone(acked), more...)); len(problems) > 0 {
		it.fail("round %d rollback: %s", round, strings.Join(problems, "; "))
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (it *iteration) fail(format string, args ...any) {
	msg := fmt.Sprintf("seed %d iteration %d: ", it.cfg.Seed, it.n) + fmt.Sprintf(format, args...)
	it.st.Failures = append(it.st.Failures, msg)
	fmt.Fprintln(it.cfg.Log, "FAILURE", msg)
}

func (it *iteration) writeSchema(changed []int) error {
	if err := os.MkdirAll(filepath.Join(it.dir, "schema"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(it.dir, "schema", "schema.sql"), []byte(sourceSQL(changed)), 0o644)
}

// pgflux runs the binary to completion in the project directory.
func (it *iteration) pgflux(ctx context.Context, db string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, it.cfg.Bin, append(args, it.global(db)...)...)
	cmd.Dir = it.dir
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (it *iteration) global(db string) []string {
	return []string{"--db", it.dsn(db), "--shadow-dsn", it.dsn("postgres")}
}

// cleanEnv keeps the user's settings of pg-flux out of the child.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PGFLUX_") && !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// underFaults starts `pg-flux <args>` (migrate apply or migrate rollback)
// until one run exits 0, counting runs and faults by kind. The first runs
// get a fault at a random moment; the window the moment is drawn from
// follows the length of the last run that finished by itself.
func (it *iteration) underFaults(ctx context.Context, db string, args []string, runs *int, faultsByKind map[string]int) error {
	faults := 1 + it.r.IntN(it.cfg.MaxFaults)
	window := it.window
	failedAlone := 0
	for run := 0; ; run++ {
		kind := ""
		var at time.Duration
		if run < faults {
			kind = Kinds[it.r.IntN(len(Kinds))]
			at = time.Duration(it.r.Int64N(int64(window)))
		}
		*runs++
		cmd := exec.CommandContext(ctx, it.cfg.Bin, append(slices.Clone(args), it.global(db)...)...)
		cmd.Dir = it.dir
		cmd.Env = cleanEnv()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		began := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		var err error
		done := make(chan struct{})
		go func() { err = cmd.Wait(); close(done) }()

		injected := false
		if kind != "" {
			select {
			case <-done:
			case <-time.After(at):
				injected = true
				if ferr := it.inject(ctx, kind, cmd, db, done); ferr != nil {
					return ferr
				}
			}
		}
		<-done
		took := time.Since(began)
		if kind != "" && !injected {
			// The fault was due after the run ended by itself.
			it.st.Missed++
		}
		switch {
		case injected:
			faultsByKind[kind]++
			it.logf("%s run %d: %s after %s: exit %s", args[1], run, kind, at.Round(time.Millisecond), exitText(err))
		case err == nil:
			it.logf("%s run %d: done in %s", args[1], run, took.Round(time.Millisecond))
			return nil
		default:
			it.logf("%s run %d: exit %s without a fault:\n%s", args[1], run, exitText(err), redact(out.String()))
			if failedAlone++; failedAlone >= 3 {
				return fmt.Errorf("migrate %s failed %d times in a row without a fault; last output:\n%s", args[1], failedAlone, redact(out.String()))
			}
			continue
		}
		if err == nil {
			// Finished although faulted (the fault came after the last
			// statement, or missed).
			return nil
		}
		if run >= faults {
			window = max(took, 200*time.Millisecond)
		}
		if run > faults+20 {
			return fmt.Errorf("migrate %s did not finish after %d runs", args[1], run+1)
		}
	}
}

// inject applies one fault to a running apply; done is closed when it
// exits.
func (it *iteration) inject(ctx context.Context, kind string, cmd *exec.Cmd, db string, done <-chan struct{}) error {
	switch kind {
	case SIGKILL:
		_ = cmd.Process.Signal(syscall.SIGKILL)
	case Terminate:
		// Until it has a session to end (it may be between connections).
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if terminateSessions(ctx, it.dsn("postgres"), db) {
				break
			}
			select {
			case <-done:
				return nil
			case <-time.After(10 * time.Millisecond):
			}
		}
	case Restart:
		if err := it.cfg.Cluster.Restart(ctx, true); err != nil {
			return fmt.Errorf("restart server: %w", err)
		}
	}
	// A child that survives the fault (it may reconnect and go on) is
	// given a while, then killed so that the run ends.
	go func() {
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Signal(syscall.SIGKILL)
		}
	}()
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal().String()
		}
		return fmt.Sprint(ee.ExitCode())
	}
	return err.Error()
}

func redact(s string) string { return dsn.Redact(s) }

// terminateSessions ends every session pg-flux has on db; false when there
// was none.
func terminateSessions(ctx context.Context, admin, db string) bool {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND application_name LIKE 'pg-flux%'`, db).Scan(&n)
	return err == nil && n > 0
}

// check returns what is wrong with the end state.
func (it *iteration) check(ctx context.Context, db, wantHash string, want []string, acked []int64) []string {
	var problems []string
	conn, err := pgx.Connect(ctx, it.dsn(db))
	if err != nil {
		return []string{fmt.Sprintf("connect: %v", err)}
	}
	defer conn.Close(ctx)
	live, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		return []string{fmt.Sprintf("inspect: %v", err)}
	}
	if live.Hash() != wantHash {
		problems = append(problems, fmt.Sprintf("live hash %s is not %s", live.Hash(), wantHash))
	}
	scalar := func(q string) string {
		var s string
		if err := conn.QueryRow(ctx, q).Scan(&s); err != nil {
			return "error: " + err.Error()
		}
		return s
	}
	if v := scalar(`SELECT coalesce(string_agg(indexrelid::regclass::text, ', '), '') FROM pg_index WHERE NOT indisvalid OR NOT indisready`); v != "" {
		problems = append(problems, "INVALID index(es) left: "+v)
	}
	if v := scalar(`SELECT coalesce(string_agg(conrelid::regclass::text || '.' || conname, ', '), '') FROM pg_constraint
		WHERE connamespace = 'public'::regnamespace AND (NOT convalidated OR conname LIKE '%not_null%')`); v != "" {
		problems = append(problems, "staging or NOT VALID constraint(s) left: "+v)
	}
	var ledger []string
	rows, err := conn.Query(ctx, `SELECT filename || ' ' || status || ' ' || steps_done || '/' || steps_total FROM _pgflux.migrations ORDER BY filename`)
	if err == nil {
		ledger, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		problems = append(problems, fmt.Sprintf("read ledger: %v", err))
	}
	if !slices.Equal(ledger, want) {
		problems = append(problems, fmt.Sprintf("ledger %q, want %q", ledger, want))
	}
	// Every row the writer saw committed is there, in both tables.
	for _, q := range []string{`SELECT id FROM writes`, `SELECT substr(note, 2)::bigint FROM events WHERE note LIKE 'w%'`} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", q, err))
			continue
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", q, err))
			continue
		}
		have := map[int64]bool{}
		for _, id := range ids {
			have[id] = true
		}
		missing := 0
		for _, id := range acked {
			if !have[id] {
				missing++
			}
		}
		if missing > 0 {
			problems = append(problems, fmt.Sprintf("%d of %d committed writer row(s) missing (%s)", missing, len(acked), q))
		}
	}
	return problems
}

// writer is the application: one session inserting a row into events and
// one into writes per transaction, reconnecting after faults. acked holds
// the ids whose COMMIT succeeded.
type writer struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	acked  []int64
	// lastErr is the last error a write failed with, for the log.
	lastErr error
	failed  int
}

func startWriter(ctx context.Context, conn string, firstID int64) *writer {
	ctx, cancel := context.WithCancel(ctx)
	w := &writer{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var c *pgx.Conn
		defer func() {
			if c != nil {
				c.Close(context.Background())
			}
		}()
		for id := firstID; ctx.Err() == nil; id++ {
			if c == nil {
				cfg, err := pgx.ParseConfig(conn)
				if err != nil {
					return
				}
				// Committed must mean durable across a crash restart
				// (the test server runs with synchronous_commit off).
				cfg.RuntimeParams["synchronous_commit"] = "on"
				cfg.RuntimeParams["application_name"] = "writer"
				if c, err = pgx.ConnectConfig(ctx, cfg); err != nil {
					c = nil
					sleep(ctx, 50*time.Millisecond)
					continue
				}
			}
			tx, err := c.Begin(ctx)
			if err == nil {
				_, err = tx.Exec(ctx, `INSERT INTO writes (id) VALUES ($1)`, id)
				if err == nil {
					_, err = tx.Exec(ctx, `INSERT INTO events (parent_id, amount, tenant_id, note, m) VALUES ($1, $2, $3, $4, 'ok')`,
						1+id%100, id%1000, id%7, fmt.Sprintf("w%d", id))
				}
				if err == nil {
					err = tx.Commit(ctx)
				} else {
					tx.Rollback(ctx)
				}
			}
			if err == nil {
				w.mu.Lock()
				w.acked = append(w.acked, id)
				w.mu.Unlock()
				sleep(ctx, 2*time.Millisecond)
				continue
			}
			w.mu.Lock()
			w.lastErr, w.failed = err, w.failed+1
			w.mu.Unlock()
			if c.IsClosed() || c.PgConn().IsBusy() {
				c.Close(context.Background())
				c = nil
			}
			sleep(ctx, 20*time.Millisecond)
		}
	}()
	return w
}

func (w *writer) stop() []int64 {
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func execOn(ctx context.Context, conn, sql string) error {
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

func dropDatabase(ctx context.Context, admin, name string) {
	_ = execOn(ctx, admin, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }
