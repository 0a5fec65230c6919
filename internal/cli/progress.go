package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// addLockFlags adds the flags that tune how steps wait for locks.
func addLockFlags(f *pflag.FlagSet) {
	f.String("lock-timeout", "5s", "how long each statement waits for a lock before it is retried (e.g. 5s, 500ms)")
	f.String("lock-retries", "5", "how many times a statement whose lock was not granted is retried, with backoff")
	f.String("statement-timeout", "0", "bound on each statement's run time (e.g. 30m; 0: none)")
}

// retriesOption maps the setting (0 = no retry) to migration's option
// (0 = default, negative = none).
func retriesOption(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// progress is where long steps report: a single updating line when stderr
// is a terminal, progress records with JSON logs, else nowhere.
func (a *app) progress() migration.Progress {
	switch {
	case a.global.logFormat == "json":
		return &logProgress{log: a.log}
	case a.io.ErrIsTerminal():
		return &lineProgress{w: a.io.ErrOut}
	}
	return nil
}

// executeSteps runs a plan directly, with the lock settings and progress of
// migrate apply (no ledger).
func (a *app) executeSteps(ctx context.Context, t *target, s *settings, steps []plan.Step) error {
	restore, err := migration.SetRunSettings(ctx, t.Conn, s.LockTimeout, s.StatementTimeout)
	if err != nil {
		return err
	}
	defer restore()
	watch, err := migration.OpenWatch(ctx, t.Conn)
	if err != nil {
		return err
	}
	defer watch.Close(context.WithoutCancel(ctx))
	retries := max(retriesOption(s.LockRetries), 0)
	return migration.ExecuteWith(ctx, t.Conn, steps, migration.ExecOptions{
		LockRetries: retries,
		LockTimeout: s.LockTimeout,
		Watch:       watch,
		Progress:    a.progress(),
		OnRetry: func(step, attempt int, _ error) {
			a.log.Warn("lock_retry", logStatement, step+1, "attempt", attempt, logDetail,
				fmt.Sprintf("step %d (%s): lock not granted within lock_timeout %s; retry %d of %d",
					step+1, oneLine(steps[step].SQL), s.LockTimeout, attempt, retries))
		},
	})
}

func oneLine(sql string) string {
	for i, c := range sql {
		if c == '\n' {
			return sql[:i] + " …"
		}
	}
	return sql
}

// lineProgress keeps one line of stderr up to date.
type lineProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *lineProgress) Update(ev migration.ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := progressLine(ev)
	// Keep the line narrower than a usual terminal so it never wraps,
	// which would break the carriage-return update.
	if r := []rune(line); len(r) > 110 {
		line = string(r[:109]) + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *lineProgress) Finish(migration.ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
}

// progressLine renders an event: "step 2/5 CREATE INDEX CONCURRENTLY … —
// building index: scanning table 1234/5678 (21%) 12s".
func progressLine(ev migration.ProgressEvent) string {
	s := fmt.Sprintf("step %d/%d %s — %s", ev.Step, ev.Steps, ev.Statement, ev.Phase)
	if ev.Total > 0 {
		s += fmt.Sprintf(" %d/%d (%d%%)", ev.Done, ev.Total, ev.Done*100/ev.Total)
	}
	if len(ev.Blockers) > 0 {
		s += fmt.Sprintf(" held by pid %d", ev.Blockers[0].PID)
	}
	return s + " " + ev.Elapsed.Round(time.Second).String()
}

// logProgress emits progress records for JSON logs.
type logProgress struct{ log *slog.Logger }

func (p *logProgress) Update(ev migration.ProgressEvent) {
	attrs := []any{logMigration, ev.Migration, logStatement, ev.Statement, "step", ev.Step, "steps", ev.Steps,
		"phase", ev.Phase, "done", ev.Done, "total", ev.Total, "elapsed_ms", ev.Elapsed.Milliseconds()}
	if len(ev.Blockers) > 0 {
		pids := make([]int, len(ev.Blockers))
		for i, b := range ev.Blockers {
			pids[i] = b.PID
		}
		attrs = append(attrs, "blocking_pids", pids)
	}
	p.log.Info("progress", attrs...)
}

func (p *logProgress) Finish(ev migration.ProgressEvent) {
	p.log.Info("progress", logMigration, ev.Migration, logStatement, ev.Statement, "step", ev.Step, "steps", ev.Steps,
		"phase", "done", "done", ev.Total, "total", ev.Total, "elapsed_ms", ev.Elapsed.Milliseconds())
}
