package migration

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// ErrLockHeld is returned when another apply holds the migration advisory
// lock of the target for longer than ApplyOptions.LockWait.
var ErrLockHeld = errors.New("could not acquire migration advisory lock (another apply in progress)")

// Defaults of ApplyOptions.
const (
	DefaultLockTimeout = 5 * time.Second
	DefaultLockWait    = 30 * time.Second
	DefaultLockRetries = 5
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	Dir            string // migrations directory
	TrackingSchema string // schema of the ledger; DefaultTrackingSchema when empty
	Schemas        []string
	// ManageOwners includes object owners in the live model (and so in
	// the hash checked against the file's baseline).
	ManageOwners bool
	// AllowHazards are the blocking hazard kinds the user allowed
	// (--allow-hazards plus config pre-allowances).
	AllowHazards []hazard.Kind
	// MassDropThreshold is the percentage of live tables, views and
	// sequences one file may drop unless MASS_DROP is allowed; zero means
	// hazard.DefaultMassDropThreshold, a negative value 0%.
	MassDropThreshold int
	ForceAfterDrift   bool
	// DryRun runs every check and prints what would run to Out, executing
	// nothing and writing nothing (not even the ledger table).
	DryRun bool
	// LockTimeout is the session's lock_timeout while steps run
	// (DefaultLockTimeout when zero). A transactional group whose lock is
	// not granted in time is rolled back and retried LockRetries times
	// (DefaultLockRetries when zero; negative for none), RetryDelay apart,
	// doubling, with jitter (1s when zero). NoTransaction steps are retried
	// the same way.
	LockTimeout time.Duration
	LockRetries int
	RetryDelay  time.Duration
	// StatementTimeout, when set, is the session's statement_timeout while
	// steps run.
	StatementTimeout time.Duration
	// Progress receives progress of long steps (index builds, validations),
	// polled on a second connection; nil for none. Blocking sessions are
	// named in lock failures either way.
	Progress Progress
	// LockWait is how long to keep trying for the migration advisory lock
	// before giving up with ErrLockHeld (DefaultLockWait when zero).
	LockWait time.Duration
	// Target identifies the database, as dsn.Describe gives it
	// (host:port/db): the advisory lock key. When empty it is built from
	// the connection's configuration.
	Target string
	// Version is pg-flux's version, recorded in the ledger.
	Version string
	// Out receives progress ("Applied X.sql (N step(s) in 12ms)") and, for
	// a dry run, the SQL that would run. Nil discards it.
	Out io.Writer
	// Logger receives structured events: hazard_allowed (every allowed
	// hazard, for audit), migration_applied, and warnings
	// (out_of_order, baseline_drift_forced, result_mismatch,
	// lock_retry). Nil discards them.
	Logger *slog.Logger
}

// ApplyResult says what Apply did.
type ApplyResult struct {
	// Applied lists the files applied in order (for a dry run: that would
	// be applied).
	Applied []AppliedFile
	// Warnings are the human-readable warnings also sent to the logger:
	// out-of-order files, forced baseline drift, result hash mismatches.
	Warnings []string
	DryRun   bool
}

// AppliedFile is one migration file that Apply ran.
type AppliedFile struct {
	Name string
	// Steps is the number of steps the file has; FirstStep is the index of
	// the first one run (non-zero when an interrupted apply was resumed).
	Steps     int
	FirstStep int
	Duration  time.Duration
	// Allowed are the blocking hazards that ran because they were allowed;
	// their Statement indexes the file's statements.
	Allowed []hazard.Finding
}

// RefusedError is a guard that refused to run a migration: nothing of the
// refused file was executed. The CLI exits 1 on it.
type RefusedError struct {
	// File is the base name of the (first) refused migration.
	File string
	// Reason is "checksum", "baseline", "mass_drop" or "hazard".
	Reason string
	// Findings are the blocking hazards that were not allowed.
	Findings []hazard.Finding
	msg      string
}

func (e *RefusedError) Error() string { return e.msg }

// Apply runs the pending migration files of opts.Dir in name order:
//  1. it takes the session advisory lock of the target, retrying for up to
//     LockWait, else ErrLockHeld;
//  2. it refuses when an applied file's checksum changed, and warns about
//     pending files that sort before the last applied one;
//  3. before any statement runs it checks each file's baseline hash against
//     the live schema (unless ForceAfterDrift) and its hazards against
//     AllowHazards, refusing with a *RefusedError;
//  4. it runs the steps with lock_timeout, recording progress in the ledger
//     in the same transaction as each group of steps, so an interrupted
//     apply resumes after the last committed step;
//  5. after each file it warns when the live hash is not the file's result.
//
// On a failure after some files were applied, the result lists them along
// with the error.
func Apply(ctx context.Context, conn *pgx.Conn, opts ApplyOptions) (*ApplyResult, error) {
	a := &applier{conn: conn, opts: opts, res: &ApplyResult{DryRun: opts.DryRun}}
	a.defaults()
	err := a.run(ctx)
	return a.res, err
}

type applier struct {
	verb  string // "apply", or "roll back" for a rollback's Down sections
	conn  *pgx.Conn
	watch *pgx.Conn
	opts  ApplyOptions
	res   *ApplyResult
	log   *slog.Logger
	out   io.Writer
}

// pendingFile is a file to run, from step start on.
type pendingFile struct {
	file  *File
	start int
	// resumed: an earlier apply began the file (it has a partial ledger
	// row), so live may be mid-file even when no step committed.
	resumed bool
	allowed []hazard.Finding
}

func (a *applier) defaults() {
	o := &a.opts
	if o.TrackingSchema == "" {
		o.TrackingSchema = DefaultTrackingSchema
	}
	if len(o.Schemas) == 0 {
		o.Schemas = []string{"public"}
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.LockRetries == 0 {
		o.LockRetries = DefaultLockRetries
	} else if o.LockRetries < 0 {
		o.LockRetries = 0
	}
	if o.LockWait <= 0 {
		o.LockWait = DefaultLockWait
	}
	if o.Target == "" {
		cfg := a.conn.Config()
		o.Target = fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	}
	a.log = o.Logger
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.out = o.Out
	if a.out == nil {
		a.out = io.Discard
	}
}

func (a *applier) warn(event, msg string, attrs ...any) {
	a.res.Warnings = append(a.res.Warnings, msg)
	a.log.Warn(event, append(attrs, "detail", msg)...)
}

func (a *applier) run(ctx context.Context) error {
	files, err := ReadDir(a.opts.Dir)
	if err != nil {
		return err
	}
	major, err := catalog.ServerMajor(ctx, a.conn)
	if err != nil {
		return err
	}
	if err := CheckMajor(files, major); err != nil {
		return err
	}
	if !a.opts.DryRun {
		unlock, err := acquireLock(ctx, a.conn, a.opts.Target, a.opts.LockWait)
		if err != nil {
			return err
		}
		defer unlock()
	}
	state, err := a.prepareLedger(ctx, false)
	if err != nil {
		return err
	}
	ledger, err := readLedger(ctx, a.conn, a.opts.TrackingSchema)
	if err != nil {
		return err
	}
	pending, err := a.pending(files, ledger)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		if !a.opts.DryRun && !state.exists {
			return ensureLedger(ctx, a.conn, a.opts.TrackingSchema)
		}
		return nil
	}

	// Every guard runs before the first statement.
	live, err := a.inspect(ctx)
	if err != nil {
		return err
	}
	liveHash := live.Hash()
	if err := a.checkBaseline(pending[0], liveHash); err != nil {
		return err
	}
	if err := a.checkMassDrop(pending, live); err != nil {
		return err
	}
	if err := a.checkHazards(ctx, pending, live); err != nil {
		return err
	}
	if err := a.checkPrivileges(ctx, pending, state, false); err != nil {
		return err
	}

	if a.opts.DryRun {
		a.dryRun(pending, liveHash)
		return nil
	}
	if !state.exists {
		if err := ensureLedger(ctx, a.conn, a.opts.TrackingSchema); err != nil {
			return err
		}
	}
	restore, err := SetRunSettings(ctx, a.conn, a.opts.LockTimeout, a.opts.StatementTimeout)
	if err != nil {
		return err
	}
	defer restore()
	watch, err := OpenWatch(ctx, a.conn)
	if err != nil {
		return err
	}
	defer watch.Close(context.WithoutCancel(ctx))
	a.watch = watch

	for i, p := range pending {
		if i > 0 {
			// The previous file changed the schema: check this file's
			// baseline against the state it left.
			if err := a.checkBaseline(p, liveHash); err != nil {
				return err
			}
		}
		if err := a.applyFile(ctx, p); err != nil {
			return err
		}
		after, err := a.inspect(ctx)
		if err != nil {
			return err
		}
		liveHash = after.Hash()
		if r := p.file.Result; r != "" && r != liveHash {
			a.warn("result_mismatch", fmt.Sprintf("%s: live schema after the migration (%s) is not the state it was generated to produce (%s); run `pg-flux drift` to see the difference",
				p.file.Name, shortHash(liveHash), shortHash(r)), "migration", p.file.Name)
		}
	}
	return nil
}

// markBegun records p as begun, with the steps it has done so far, before a
// first step that runs outside a transaction: interrupted (CREATE/DROP INDEX
// CONCURRENTLY), such a step leaves live changed with no step recorded, and
// the next apply or rollback must resume the file, not refuse it as drift.
func (a *applier) markBegun(ctx context.Context, p *pendingFile, record func(context.Context, Execer, int) error) error {
	if p.resumed || p.file.Steps[p.start].Isolation != plan.NoTransaction {
		return nil
	}
	return record(ctx, a.conn, p.start)
}

// pending checks the directory against the ledger (changed, renamed and
// missing files, the chain, out-of-order files) and returns the files still
// to run in name order, resuming partially applied ones.
func (a *applier) pending(files []*File, ledger map[string]*row) ([]*pendingFile, error) {
	in := checkIntegrity(files, ledger)
	if r := in.refusal(ledger, files, "apply"); r != nil {
		return nil, r
	}
	for _, name := range in.Missing {
		a.warn("missing_file", missingWarning(name), "migration", name)
	}
	for _, name := range in.OutOfOrder {
		a.warn("out_of_order", outOfOrderWarning(name, in.LastApplied), "migration", name)
	}
	var out []*pendingFile
	for _, f := range files {
		r := ledger[f.Name]
		switch {
		case r == nil:
			out = append(out, &pendingFile{file: f})
		case r.Status == statusPartial:
			out = append(out, &pendingFile{file: f, start: min(r.StepsDone, len(f.Steps)), resumed: true})
		}
	}
	return out, nil
}

func (a *applier) inspect(ctx context.Context) (*model.Model, error) {
	m, err := catalog.Inspect(ctx, a.conn, catalog.Options{Schemas: a.opts.Schemas, Owners: a.opts.ManageOwners})
	if err != nil {
		return nil, fmt.Errorf("inspect live schema: %w", err)
	}
	return m, nil
}

// checkBaseline refuses a file whose recorded baseline is not the live
// hash. Hand-written files (no header) and resumed files (the live state is
// mid-file, e.g. an INVALID index left by an interrupted first step) are
// not checked.
func (a *applier) checkBaseline(p *pendingFile, liveHash string) error {
	f := p.file
	if f.Baseline == "" || p.resumed || f.Baseline == liveHash {
		return nil
	}
	if a.opts.ForceAfterDrift {
		a.warn("baseline_drift_forced", fmt.Sprintf("%s: live database state has drifted since this migration was generated (expected baseline=%s, live=%s); applying anyway (--force-after-drift)",
			f.Name, shortHash(f.Baseline), shortHash(liveHash)), "migration", f.Name)
		return nil
	}
	return &RefusedError{File: f.Name, Reason: "baseline", msg: fmt.Sprintf(
		"refusing to apply %s: live database state has drifted\n"+
			"since this migration was generated (expected baseline=%s, live=%s).\n"+
			"Re-run `pg-flux migrate generate` to rebase the migration,\n"+
			"or pass --force-after-drift to apply anyway.",
		f.Name, shortHash(f.Baseline), shortHash(liveHash))}
}

// checkHazards classifies the statements still to run of all pending files
// as one list against the live model, so objects created by an earlier
// file count as new for a later one, and refuses when a blocking hazard is
// not allowed. Allowed ones are logged and kept for the ledger.
func (a *applier) checkHazards(ctx context.Context, pending []*pendingFile, live *model.Model) error {
	var stmts []source.Statement
	var owner []*pendingFile
	var local []int // index of each statement within its file
	for _, p := range pending {
		// The steps an interrupted apply already ran are classified too, so
		// that what they created counts as new for the rest of the file, as
		// it did when the file was written; their own findings are dropped.
		for i, st := range p.file.Statements {
			stmts = append(stmts, st)
			owner = append(owner, p)
			local = append(local, i)
		}
	}
	vol, err := hazard.LookupVolatility(ctx, a.conn, stmts)
	if err != nil {
		return err
	}
	findings, err := hazard.ClassifyWith(stmts, live, hazard.Options{Volatility: vol})
	if err != nil {
		return fmt.Errorf("classify hazards: %w", err)
	}
	allowed := map[hazard.Kind]bool{}
	for _, k := range a.opts.AllowHazards {
		allowed[k] = true
	}
	var refused []hazard.Finding
	var refusedFiles []*pendingFile
	byFile := map[*pendingFile][]hazard.Finding{}
	for _, f := range findings {
		if !f.Kind.Blocking() || local[f.Statement] < owner[f.Statement].start {
			continue
		}
		p := owner[f.Statement]
		f.Statement = local[f.Statement]
		if allowed[f.Kind] {
			p.allowed = append(p.allowed, f)
			continue
		}
		if byFile[p] == nil {
			refusedFiles = append(refusedFiles, p)
		}
		byFile[p] = append(byFile[p], f)
		refused = append(refused, f)
	}
	if len(refused) == 0 {
		return nil
	}
	var b strings.Builder
	need := map[hazard.Kind]bool{}
	for k := range allowed {
		need[k] = true
	}
	for _, p := range refusedFiles {
		fmt.Fprintf(&b, "refusing to apply %s: blocking hazards not allowed\n", p.file.Name)
		for _, f := range byFile[p] {
			fmt.Fprintf(&b, "%s\n", f)
			need[f.Kind] = true
		}
	}
	var kinds []hazard.Kind
	for _, k := range hazard.Kinds {
		if need[k] {
			kinds = append(kinds, k)
		}
	}
	fmt.Fprintf(&b, "To allow: pg-flux migrate apply --allow-hazards=%s", hazard.JoinKinds(kinds))
	return &RefusedError{File: refusedFiles[0].file.Name, Reason: "hazard", Findings: refused, msg: b.String()}
}

// checkMassDrop refuses a pending file that would drop more of the live
// tables, views and sequences than the threshold allows (or all of them),
// unless MASS_DROP is allowed. Each file is judged against live as it is
// now, before anything runs.
func (a *applier) checkMassDrop(pending []*pendingFile, live *model.Model) error {
	for _, k := range a.opts.AllowHazards {
		if k == hazard.MassDrop {
			return nil
		}
	}
	threshold := a.opts.MassDropThreshold
	switch {
	case threshold == 0:
		threshold = hazard.DefaultMassDropThreshold
	case threshold < 0:
		threshold = 0
	}
	for _, p := range pending {
		n, err := hazard.CountDrops(p.file.Statements[p.start:], live)
		if err != nil {
			return fmt.Errorf("classify hazards: %w", err)
		}
		if n.Exceeds(threshold) {
			return &RefusedError{File: p.file.Name, Reason: "mass_drop", msg: n.Message("apply "+p.file.Name, threshold) +
				"\nTo allow: pg-flux migrate apply " + n.AllowHint()}
		}
	}
	return nil
}

// dryRun prints what would run.
func (a *applier) dryRun(pending []*pendingFile, liveHash string) {
	for i, p := range pending {
		f := p.file
		if i > 0 && f.Baseline != "" && pending[i-1].file.Result != "" && f.Baseline != pending[i-1].file.Result {
			a.warn("baseline_chain", fmt.Sprintf("%s expects baseline=%s but %s produces %s: it will be refused after %s is applied unless --force-after-drift is given",
				f.Name, shortHash(f.Baseline), pending[i-1].file.Name, shortHash(pending[i-1].file.Result), pending[i-1].file.Name), "migration", f.Name)
		}
		fmt.Fprintf(a.out, "-- would %s %s (%d step(s)", cmp.Or(a.verb, "apply"), f.Name, len(f.Steps)-p.start)
		if p.start > 0 {
			fmt.Fprintf(a.out, ", resuming at step %d of %d", p.start+1, len(f.Steps))
		}
		fmt.Fprintln(a.out, ")")
		for _, h := range p.allowed {
			fmt.Fprintf(a.out, "-- %s (allowed)\n", h)
		}
		if replay := SessionSettings(f.Statements, p.start); len(replay) > 0 {
			fmt.Fprintln(a.out, "-- the session settings of the committed steps, run again first:")
			for _, i := range replay {
				fmt.Fprintln(a.out, f.Steps[i].SQL)
			}
		}
		for _, s := range f.Steps[p.start:] {
			if s.Summary != "" {
				fmt.Fprintf(a.out, "-- %s\n", s.Summary)
			}
			switch s.Isolation {
			case plan.NoTransaction:
				fmt.Fprintln(a.out, "-- (runs outside a transaction)")
			case plan.OwnTransaction:
				fmt.Fprintln(a.out, "-- (runs in its own transaction)")
			}
			fmt.Fprintln(a.out, s.SQL)
		}
		fmt.Fprintln(a.out)
		a.res.Applied = append(a.res.Applied, AppliedFile{Name: f.Name, Steps: len(f.Steps), FirstStep: p.start, Allowed: p.allowed})
	}
}

// applyFile runs one file's steps and records them in the ledger, in the
// same transaction as each group of steps.
func (a *applier) applyFile(ctx context.Context, p *pendingFile) error {
	f := p.file
	began := time.Now()
	allowed := make([]string, len(p.allowed))
	for i, h := range p.allowed {
		allowed[i] = h.String()
		// Every allowance is logged before it runs, for audit.
		a.log.Info("hazard_allowed", "migration", f.Name, "hazard", string(h.Kind), "allowed", true,
			"statement", fmt.Sprintf("%s:%d", f.Path, f.Statements[h.Statement].Line), "detail", h.Message)
	}
	hashes, err := f.StatementHashes()
	if err != nil {
		return err
	}
	record := func(ctx context.Context, db Execer, done int) error {
		status := statusPartial
		if done >= len(f.Steps) {
			status = statusApplied
		}
		return writeRow(ctx, db, a.opts.TrackingSchema, &row{
			Filename: f.Name, Checksum: f.Checksum, Baseline: f.Baseline, Result: f.Result,
			DurationMS: time.Since(began).Milliseconds(), Version: a.opts.Version,
			AllowedHazards: allowed, StepsDone: done, StepsTotal: len(f.Steps), Status: status,
			StatementHashes: hashes,
		})
	}
	if len(f.Steps) == 0 {
		if err := record(ctx, a.conn, 0); err != nil {
			return err
		}
	} else {
		if err := a.markBegun(ctx, p, record); err != nil {
			return err
		}
		err := ExecuteWith(ctx, a.conn, f.Steps, ExecOptions{
			Start:       p.start,
			Replay:      SessionSettings(f.Statements, p.start),
			AfterGroup:  record,
			LockRetries: a.opts.LockRetries,
			RetryDelay:  a.opts.RetryDelay,
			LockTimeout: a.opts.LockTimeout,
			Watch:       a.watch,
			Progress:    a.opts.Progress,
			Migration:   f.Name,
			OnRetry: func(step, attempt int, err error) {
				a.log.Warn("lock_retry", "migration", f.Name, "statement", fmt.Sprintf("%s:%d", f.Path, f.Statements[step].Line),
					"attempt", attempt, "detail", fmt.Sprintf("%s: lock not granted within lock_timeout %s; retry %d of %d",
						firstLine(f.Steps[step].SQL), a.opts.LockTimeout, attempt, a.opts.LockRetries))
			},
		})
		if err != nil {
			var se *StepError
			if errors.As(err, &se) && se.GroupStart > p.start {
				return fmt.Errorf("apply %s: %w\nsteps %d–%d committed and are recorded in the ledger; fix the cause and re-run `pg-flux migrate apply` to resume at step %d",
					f.Name, err, p.start+1, se.GroupStart, se.GroupStart+1)
			}
			return fmt.Errorf("apply %s: %w", f.Name, err)
		}
	}
	d := time.Since(began)
	a.res.Applied = append(a.res.Applied, AppliedFile{Name: f.Name, Steps: len(f.Steps), FirstStep: p.start, Duration: d, Allowed: p.allowed})
	a.log.Info("migration_applied", "migration", f.Name, "duration_ms", d.Milliseconds())
	fmt.Fprintf(a.out, "Applied %s (%d step(s) in %s)\n", f.Name, len(f.Steps)-p.start, d.Round(time.Millisecond))
	return nil
}

// LockKey is the advisory lock key of a target (host:port/db): the same
// target always maps to the same key, whichever machine applies.
func LockKey(target string) int64 {
	h := fnv.New64a()
	h.Write([]byte("pg-flux migrate apply " + target))
	return int64(h.Sum64())
}

// acquireLock takes the session advisory lock of the target, trying until
// wait has passed. The returned func releases it.
func acquireLock(ctx context.Context, conn *pgx.Conn, target string, wait time.Duration) (func(), error) {
	key := LockKey(target)
	deadline := time.Now().Add(wait)
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			return nil, fmt.Errorf("take migration advisory lock: %w", err)
		}
		if ok {
			return func() {
				conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
			}, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, ErrLockHeld
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(250*time.Millisecond, left)):
		}
	}
}

// SetRunSettings prepares the session that runs steps: its lock_timeout
// and, when statement is not zero, its statement_timeout; commits that are
// durable when they return (synchronous_commit on where the server's is
// off: a crash must not take back steps, and their ledger row, that apply
// reported done); and a check every second that the client is still there,
// so that a killed apply does not leave a long index build running on. The
// returned func puts back the previous values.
func SetRunSettings(ctx context.Context, conn *pgx.Conn, lock, statement time.Duration) (func(), error) {
	names := []string{"lock_timeout"}
	values := []string{fmt.Sprintf("%dms", max(lock.Milliseconds(), 1))}
	if statement > 0 {
		names = append(names, "statement_timeout")
		values = append(values, fmt.Sprintf("%dms", max(statement.Milliseconds(), 1)))
	}
	var syncCommit string
	if err := conn.QueryRow(ctx, "SELECT current_setting('synchronous_commit')").Scan(&syncCommit); err != nil {
		return nil, fmt.Errorf("read synchronous_commit: %w", err)
	}
	if syncCommit == "off" {
		names = append(names, "synchronous_commit")
		values = append(values, "on")
	}
	var old []string
	for i, name := range names {
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		old = append(old, v)
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", name, values[i]); err != nil {
			return nil, fmt.Errorf("set %s: %w", name, err)
		}
	}
	// PostgreSQL 14+; older servers do without.
	var oldCheck string
	hasCheck := conn.QueryRow(ctx, "SELECT current_setting('client_connection_check_interval', true)").Scan(&oldCheck) == nil && oldCheck != ""
	if hasCheck {
		conn.Exec(ctx, "SELECT set_config('client_connection_check_interval', '1s', false)")
	}
	return func() {
		bg := context.WithoutCancel(ctx)
		for i, name := range names {
			conn.Exec(bg, "SELECT set_config($1, $2, false)", name, old[i])
		}
		if hasCheck {
			conn.Exec(bg, "SELECT set_config('client_connection_check_interval', $1, false)", oldCheck)
		}
	}, nil
}

// OpenWatch opens a second connection with conn's configuration, to name
// blocking sessions and read progress while conn runs steps.
func OpenWatch(ctx context.Context, conn *pgx.Conn) (*pgx.Conn, error) {
	cfg := conn.Config().Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "pg-flux (watch)"
	w, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open a second connection to watch for blocking sessions: %w", err)
	}
	return w, nil
}

// shortHash abbreviates "sha256:<hex>" to its first 12 hex digits and "…",
// as messages print hashes.
func shortHash(h string) string {
	h = strings.TrimPrefix(h, model.HashPrefix)
	if len(h) > 12 {
		h = h[:12]
	}
	return h + "…"
}
