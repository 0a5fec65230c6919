package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RollbackOptions configure Rollback; the guards are those of apply.
type RollbackOptions struct {
	ApplyOptions
	// Count is how many applied files to roll back, newest first (1 when
	// zero).
	Count int
	// To, when set, rolls back every applied file from the newest down to
	// and including the file of that name, instead of Count; when that file
	// is not applied (already rolled back) nothing runs. Running it again
	// after an interruption therefore never undoes one file too many.
	To string
}

// RolledBack is one file whose Down section ran.
type RolledBack struct {
	Name      string
	Steps     int
	FirstStep int // non-zero when an interrupted rollback was resumed
	Duration  time.Duration
}

// RollbackResult says what Rollback did (or would do, for a dry run).
type RollbackResult struct {
	Files    []RolledBack
	Warnings []string
	DryRun   bool
	// NotApplied is set when RollbackOptions.To names a file that is not
	// recorded as applied: there was nothing to do.
	NotApplied bool
}

// Rollback runs the Down sections of the last Count applied files, newest
// first, with apply's guards: the advisory lock; the integrity of the
// directory and the ledger; live must be the newest file's result (unless
// ForceAfterDrift); every Down statement re-classified for hazards and
// refused unless allowed; lock_timeout with retries. Progress is recorded
// in the file's ledger row (status rolling_back) in the same transaction
// as each group of steps, and the row is removed with the last one, so an
// interrupted rollback resumes where it stopped. A file without a Down
// section is refused before anything runs.
func Rollback(ctx context.Context, conn *pgx.Conn, opts RollbackOptions) (*RollbackResult, error) {
	a := &applier{conn: conn, opts: opts.ApplyOptions, res: &ApplyResult{DryRun: opts.DryRun}, verb: "roll back"}
	a.defaults()
	res := &RollbackResult{DryRun: opts.DryRun}
	err := a.rollback(ctx, max(opts.Count, 1), opts.To, res)
	res.Warnings = a.res.Warnings
	return res, err
}

func (a *applier) rollback(ctx context.Context, count int, to string, res *RollbackResult) error {
	files, err := ReadDir(a.opts.Dir)
	if err != nil {
		return err
	}
	if !a.opts.DryRun {
		unlock, err := acquireLock(ctx, a.conn, a.opts.Target, a.opts.LockWait)
		if err != nil {
			return err
		}
		defer unlock()
	}
	state, err := a.prepareLedger(ctx, true)
	if err != nil {
		return err
	}
	ledger, err := readLedger(ctx, a.conn, a.opts.TrackingSchema)
	if err != nil {
		return err
	}
	if r := checkIntegrity(files, ledger).refusal(ledger, files, "roll back"); r != nil {
		return r
	}
	byName := map[string]*File{}
	for _, f := range files {
		byName[f.Name] = f
	}
	rows := inOrder(ledger)
	if to != "" {
		count = 0
		for i, r := range rows {
			if r.Filename == to {
				count = len(rows) - i
			}
		}
		if count == 0 {
			if byName[to] == nil {
				return &RefusedError{File: to, Reason: "no_file", msg: fmt.Sprintf(
					"refusing to roll back to %s: there is no such migration file in %s (see `pg-flux migrate status`)", to, a.opts.Dir)}
			}
			res.NotApplied = true
			return nil
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if count > len(rows) {
		return &RefusedError{Reason: "count", msg: fmt.Sprintf("refusing to roll back %d migration(s): only %d are recorded as applied (see `pg-flux migrate status`)", count, len(rows))}
	}
	// The files to undo, newest first, as pending files of their Down.
	var todo []*pendingFile
	for _, r := range rows[len(rows)-count:] {
		f := byName[r.Filename]
		switch {
		case r.Status == statusPartial:
			return &RefusedError{File: r.Filename, Reason: "partial", msg: fmt.Sprintf(
				"refusing to roll back %s: it is only partly applied (%d of %d step(s)); run `pg-flux migrate apply` to finish it first", r.Filename, r.StepsDone, r.StepsTotal)}
		case f.Down == nil:
			return &RefusedError{File: r.Filename, Reason: "no_down", msg: fmt.Sprintf(
				"refusing to roll back %s: the file has no Down section (hand-written, or generated without one), so pg-flux does not know how to undo it.\n"+
					"Write the statements that undo it after a %q line in %s, or undo it with a new migration (`pg-flux migrate generate`).",
				r.Filename, DownMarker, f.Path)}
		}
		down := &File{Path: f.Down.Path, Name: f.Name, Baseline: f.Result, Result: f.Baseline, Checksum: f.Checksum,
			Statements: f.Down.Statements, Steps: f.Down.Steps}
		start, resumed := 0, r.Status == statusRollingBack
		if resumed {
			start = min(r.DownDone, len(down.Steps))
		}
		todo = append([]*pendingFile{{file: down, start: start, resumed: resumed}}, todo...)
	}

	// Every guard runs before the first statement.
	live, err := a.inspect(ctx)
	if err != nil {
		return err
	}
	liveHash := live.Hash()
	if err := a.checkRollbackBaseline(todo[0], liveHash); err != nil {
		return err
	}
	if err := a.checkMassDrop(todo, live); err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			re.msg = rollbackWording(re.msg)
		}
		return err
	}
	if err := a.checkHazards(ctx, todo, live); err != nil {
		var re *RefusedError
		if errors.As(err, &re) && re.Reason == "hazard" {
			re.msg = rollbackWording(re.msg)
		}
		return err
	}
	if err := a.checkPrivileges(ctx, todo, state, true); err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			re.msg = rollbackWording(re.msg)
		}
		return err
	}
	if a.opts.DryRun {
		a.dryRun(todo, liveHash)
		for _, f := range a.res.Applied {
			res.Files = append(res.Files, RolledBack{Name: f.Name, Steps: f.Steps, FirstStep: f.FirstStep})
		}
		return nil
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

	for i, p := range todo {
		if i > 0 {
			if err := a.checkRollbackBaseline(p, liveHash); err != nil {
				return err
			}
		}
		began := time.Now()
		if err := a.runDown(ctx, p); err != nil {
			return err
		}
		res.Files = append(res.Files, RolledBack{Name: p.file.Name, Steps: len(p.file.Steps), FirstStep: p.start, Duration: time.Since(began)})
		after, err := a.inspect(ctx)
		if err != nil {
			return err
		}
		liveHash = after.Hash()
		if want := p.file.Result; want != "" && want != liveHash {
			a.warn("result_mismatch", fmt.Sprintf("%s: live schema after its Down section (%s) is not the state before the migration (%s); run `pg-flux drift` to see the difference",
				p.file.Name, shortHash(liveHash), shortHash(want)), "migration", p.file.Name)
		}
	}
	return nil
}

// checkRollbackBaseline refuses to undo a file when live is not the state
// the file produced. A resumed Down (live is mid-way) is not checked.
func (a *applier) checkRollbackBaseline(p *pendingFile, liveHash string) error {
	f := p.file
	if f.Baseline == "" || p.resumed || f.Baseline == liveHash {
		return nil
	}
	if a.opts.ForceAfterDrift {
		a.warn("baseline_drift_forced", fmt.Sprintf("%s: live database state has drifted since this migration was applied (expected result=%s, live=%s); rolling back anyway (--force-after-drift)",
			f.Name, shortHash(f.Baseline), shortHash(liveHash)), "migration", f.Name)
		return nil
	}
	return &RefusedError{File: f.Name, Reason: "baseline", msg: fmt.Sprintf(
		"refusing to roll back %s: live database state has drifted\n"+
			"since this migration was applied (expected result=%s, live=%s).\n"+
			"Run `pg-flux drift` to see what changed and undo it,\n"+
			"or pass --force-after-drift to roll back anyway.",
		f.Name, shortHash(f.Baseline), shortHash(liveHash))}
}

// rollbackWording turns apply's hazard refusal into rollback's.
func rollbackWording(msg string) string {
	return strings.NewReplacer("refusing to apply ", "refusing to roll back ", "pg-flux migrate apply --allow-", "pg-flux migrate rollback --allow-").Replace(msg)
}

// runDown runs a file's Down steps, recording progress in its ledger row,
// and removes the row with the last group.
func (a *applier) runDown(ctx context.Context, p *pendingFile) error {
	f := p.file
	table := ledgerTable(a.opts.TrackingSchema)
	record := func(ctx context.Context, db Execer, done int) error {
		var err error
		if done >= len(f.Steps) {
			_, err = db.Exec(ctx, `DELETE FROM `+table+` WHERE filename = $1`, f.Name)
		} else {
			_, err = db.Exec(ctx, `UPDATE `+table+` SET status = $2, down_steps_done = $3 WHERE filename = $1`, f.Name, statusRollingBack, done)
		}
		if err != nil {
			return fmt.Errorf("record the rollback of %s in the migration ledger: %w", f.Name, err)
		}
		return nil
	}
	for _, h := range p.allowed {
		a.log.Info("hazard_allowed", "migration", f.Name, "hazard", string(h.Kind), "allowed", true,
			"statement", fmt.Sprintf("%s:%d", f.Path, f.Statements[h.Statement].Line), "detail", h.Message)
	}
	if len(f.Steps) == 0 {
		return record(ctx, a.conn, 0)
	}
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
	})
	if err != nil {
		var se *StepError
		if errors.As(err, &se) && se.GroupStart > p.start {
			return fmt.Errorf("roll back %s: %w\nDown steps %d–%d committed and are recorded in the ledger; fix the cause and re-run `pg-flux migrate rollback` to resume at step %d",
				f.Name, err, p.start+1, se.GroupStart, se.GroupStart+1)
		}
		return fmt.Errorf("roll back %s: %w", f.Name, err)
	}
	a.log.Info("migration_rolled_back", "migration", f.Name)
	return nil
}
