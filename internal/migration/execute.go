package migration

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Execer runs a statement: a *pgx.Conn outside a transaction, a pgx.Tx
// inside one.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ExecOptions tune ExecuteWith.
type ExecOptions struct {
	// Start is the index of the first step to run; earlier steps are taken
	// as done (resuming an interrupted apply).
	Start int
	// AfterGroup runs once per group of steps that succeeded, with done =
	// the number of steps complete so far. For a transactional group it runs
	// inside the transaction just before COMMIT (db is the transaction), so
	// whatever it records commits atomically with the steps; after a
	// NoTransaction step it runs on the connection. An error from it fails
	// the group (a transactional group is rolled back).
	AfterGroup func(ctx context.Context, db Execer, done int) error
	// LockRetries is how many times a step (or transactional group) that
	// failed because a lock was not granted within lock_timeout is retried.
	// Rolling back and waiting lets the blocking transaction finish instead
	// of queueing behind it, where every later lock request would queue
	// behind ours and stall the application.
	LockRetries int
	// RetryDelay is the base of the exponential backoff between retries
	// (1s when zero): the n-th retry waits a random time between half and
	// all of RetryDelay·2ⁿ⁻¹ (capped at 30s), so that concurrent appliers
	// do not retry in lockstep.
	RetryDelay time.Duration
	// OnRetry, when set, hears about each retry before its wait.
	OnRetry func(step int, attempt int, err error)
	// Watch is a second connection to the same database. When set, it is
	// polled while a step runs to name the sessions blocking it (reported in
	// a *StepError when the lock is finally not granted) and to read the
	// progress of long steps. It must not be used by anyone else meanwhile.
	Watch *pgx.Conn
	// Progress receives progress of long steps (polled on Watch every
	// PollInterval, 500ms when zero). Nil discards it.
	Progress     Progress
	PollInterval time.Duration
	// Migration names the steps' file in progress events.
	Migration string
	// LockTimeout is the lock_timeout the session runs with; it is only
	// quoted in messages.
	LockTimeout time.Duration
	// Replay are indexes of steps before Start to run again, in order,
	// each alone on the connection, before steps[Start]: the session
	// settings of the steps a resumed run skips (SessionSettings), which
	// its new session does not have. They are not recorded (AfterGroup)
	// nor retried.
	Replay []int
}

// Execute runs the steps on conn: consecutive InTransaction steps together
// in one transaction, each OwnTransaction step alone in its own transaction,
// and each NoTransaction step alone outside any transaction. It stops at the
// first failing step with a *StepError.
func Execute(ctx context.Context, conn *pgx.Conn, steps []plan.Step) error {
	return ExecuteWith(ctx, conn, steps, ExecOptions{})
}

// SessionSettings returns the indexes of the statements before end that
// change session settings beyond their transaction: SET, RESET and
// set_config(…, false) (source.Statement.IsSetting), not SET LOCAL, SET
// TRANSACTION or set_config(…, true) (TransactionScoped), whose effect
// ended with the transaction they ran in. The steps after them were
// written, and those already committed ran, with these settings in effect
// (a generated file's leading SET check_function_bodies = false): a run
// that resumes at step end in a new session runs them again first
// (ExecOptions.Replay, PendingFile.Remaining).
func SessionSettings(stmts []source.Statement, end int) []int {
	var out []int
	for i, st := range stmts[:min(end, len(stmts))] {
		if st.IsSetting() && !st.TransactionScoped && !st.Unparsed {
			out = append(out, i)
		}
	}
	return out
}

// ExecuteWith is Execute with options: a starting step, a hook after each
// committed group, retries when locks are not granted, blocker reporting
// and progress.
func ExecuteWith(ctx context.Context, conn *pgx.Conn, steps []plan.Step, opts ExecOptions) error {
	for _, i := range opts.Replay {
		if _, err := conn.Exec(ctx, steps[i].SQL); err != nil {
			return fmt.Errorf("restore the session setting of committed step %d (%s) before resuming at step %d: %w",
				i+1, firstLine(steps[i].SQL), opts.Start+1, err)
		}
	}
	for start := opts.Start; start < len(steps); {
		end := plan.GroupEnd(steps, start)
		if err := runWithRetry(ctx, conn, steps, start, end, opts); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// runWithRetry runs steps[start:end] (one NoTransaction step, or a
// transaction) and retries it with backoff while its locks are not granted.
func runWithRetry(ctx context.Context, conn *pgx.Conn, steps []plan.Step, start, end int, opts ExecOptions) error {
	delay := opts.RetryDelay
	if delay <= 0 {
		delay = time.Second
	}
	var blockers []Blocker
	for attempt := 0; ; attempt++ {
		w := startWatch(ctx, conn, steps, start, opts)
		var err error
		if steps[start].Isolation == plan.NoTransaction {
			err = runAlone(ctx, conn, steps, start, opts)
		} else {
			err = runGroup(ctx, conn, steps, start, end, opts, w)
		}
		seen := w.stop()
		var se *StepError
		if err == nil || !errors.As(err, &se) || !lockNotGranted(se.Err) {
			return err
		}
		if len(seen) > 0 {
			blockers = seen
		}
		if attempt >= opts.LockRetries {
			se.Attempts = attempt + 1
			se.LockTimeout = opts.LockTimeout
			se.Blockers = blockers
			if len(se.Blockers) == 0 && opts.Watch != nil {
				// The lock wait ended before a poll saw it: look for who
				// holds locks on the relations the statement touches.
				se.Blockers = lockHolders(ctx, opts.Watch, conn.PgConn().PID(), steps[se.Index].SQL)
			}
			return err
		}
		if opts.OnRetry != nil {
			opts.OnRetry(se.Index, attempt+1, se.Err)
		}
		wait := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		delay = min(delay*2, maxRetryDelay)
	}
}

// maxRetryDelay caps the backoff: past it, waiting longer only delays the
// deploy without making a free moment more likely.
const maxRetryDelay = 30 * time.Second

func runAlone(ctx context.Context, conn *pgx.Conn, steps []plan.Step, i int, opts ExecOptions) error {
	// A concurrent index build that failed or was killed leaves an INVALID
	// index behind, which IF NOT EXISTS would take as done: drop it first.
	// A rebuild (REINDEX CONCURRENTLY) leaves its transient copy: drop it
	// before, and after a failure, so the index is as it was.
	if err := dropInvalidIndex(ctx, conn, steps[i].SQL); err != nil {
		return &StepError{Index: i, Total: len(steps), Step: steps[i], GroupStart: i, GroupEnd: i + 1, Err: err}
	}
	if err := dropReindexLeftovers(ctx, conn, steps[i].SQL); err != nil {
		return &StepError{Index: i, Total: len(steps), Step: steps[i], GroupStart: i, GroupEnd: i + 1, Err: err}
	}
	if _, err := conn.Exec(ctx, steps[i].SQL); err != nil {
		if cerr := dropReindexLeftovers(context.WithoutCancel(ctx), conn, steps[i].SQL); cerr != nil {
			err = fmt.Errorf("%w; then: %w", err, cerr)
		}
		return &StepError{Index: i, Total: len(steps), Step: steps[i], GroupStart: i, GroupEnd: i + 1, Err: err}
	}
	if opts.AfterGroup != nil {
		if err := opts.AfterGroup(ctx, conn, i+1); err != nil {
			return fmt.Errorf("record progress after step %d: %w", i+1, err)
		}
	}
	return nil
}

func runGroup(ctx context.Context, conn *pgx.Conn, steps []plan.Step, start, end int, opts ExecOptions, w *watch) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction for step %d: %w", start+1, err)
	}
	// Rollback after a successful Commit is a no-op.
	defer tx.Rollback(context.WithoutCancel(ctx))
	for i := start; i < end; i++ {
		w.at(i)
		if _, err := tx.Exec(ctx, steps[i].SQL); err != nil {
			return &StepError{Index: i, Total: len(steps), Step: steps[i], GroupStart: start, GroupEnd: end, Err: err}
		}
	}
	if opts.AfterGroup != nil {
		if err := opts.AfterGroup(ctx, tx, end); err != nil {
			return fmt.Errorf("record progress after step %d: %w", end, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return &StepError{Index: end - 1, Total: len(steps), Step: steps[end-1], GroupStart: start, GroupEnd: end, Err: fmt.Errorf("commit: %w", err)}
	}
	return nil
}

// lockNotGranted reports whether PostgreSQL gave up waiting for a lock
// (lock_timeout).
func lockNotGranted(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// StepError is a step that failed, with PostgreSQL's error.
type StepError struct {
	Index int // 0-based index of the failing step
	Total int
	Step  plan.Step
	// GroupStart and GroupEnd delimit (end exclusive) the steps that ran in
	// the failing step's transaction; none of them took effect.
	GroupStart, GroupEnd int
	Err                  error
	// For a lock that was not granted: how many attempts were made, the
	// lock_timeout of each, and the sessions seen blocking the step.
	Attempts    int
	LockTimeout time.Duration
	Blockers    []Blocker
}

func (e *StepError) Error() string {
	desc := firstLine(e.Step.SQL)
	if e.Step.Summary != "" {
		desc = e.Step.Summary + ": " + desc
	}
	msg := fmt.Sprintf("step %d of %d failed (%s): %s", e.Index+1, e.Total, desc, pgMessage(e.Err))
	if e.GroupEnd-e.GroupStart > 1 {
		msg += fmt.Sprintf("\nsteps %d–%d ran in one transaction, which was rolled back: none of them took effect", e.GroupStart+1, e.GroupEnd)
	}
	if e.Attempts > 0 {
		msg += "\n" + lockAdvice(e.Attempts, e.LockTimeout, e.Blockers)
	}
	return msg
}

func (e *StepError) Unwrap() error { return e.Err }

func firstLine(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexByte(sql, '\n'); i >= 0 {
		return strings.TrimSpace(sql[:i]) + " …"
	}
	return sql
}

// pgMessage renders a PostgreSQL error with its detail and hint.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	msg := fmt.Sprintf("%s: %s (SQLSTATE %s)", pe.Severity, pe.Message, pe.Code)
	if pe.Detail != "" {
		msg += "\nDETAIL: " + pe.Detail
	}
	if pe.Hint != "" {
		msg += "\nHINT: " + pe.Hint
	}
	return msg
}
