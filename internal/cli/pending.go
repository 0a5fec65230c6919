package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

// addIgnorePendingFlag adds --ignore-pending to plan and migrate generate,
// which otherwise plan on top of the pending migration files.
func addIgnorePendingFlag(cmd *cobra.Command, ignore *bool) {
	cmd.Flags().BoolVar(ignore, "ignore-pending", false, "plan against live as it is, ignoring pending migration files (the plan repeats their changes)")
}

// replayPending makes the plan start where the pending migration files
// leave live: they are replayed in order on a scratch copy of live, and
// p.Live becomes the state they produce (p.Applied keeps live as it is).
// A file that no longer replays is a refusal naming it.
func (a *app) replayPending(ctx context.Context, s *settings, t *target, p *pipeline, verb string) error {
	if p.Applied == nil {
		p.Applied = p.Live
	}
	if !s.OnPending {
		return nil
	}
	files, err := migration.Pending(ctx, t.Conn, s.MigrationsDir, s.TrackingSchema)
	if err != nil || len(files) == 0 {
		return err
	}
	var names []string
	for _, f := range files {
		p.Pending = append(p.Pending, shadow.Pending{Name: f.Name, Steps: f.Remaining()})
		names = append(names, f.Name)
	}
	srv, err := p.server(ctx)
	if err != nil {
		return err
	}
	replayed, err := shadow.Replay(ctx, srv, p.Live, p.Pending, s.TargetSchemas, migration.Execute)
	var re *shadow.ReplayError
	if errors.As(err, &re) {
		return &refusal{msg: fmt.Sprintf("refusing to %s: pending migration %s no longer replays on the live schema:\n  %s\n"+
			"Run `pg-flux migrate rebase` to regenerate the pending files against live as it is now,\n"+
			"or pass --ignore-pending to plan against live alone. Nothing was written.",
			verb, re.File, strings.ReplaceAll(re.Err.Error(), "\n", "\n  "))}
	}
	if err != nil {
		return err
	}
	last := files[len(files)-1]
	p.BaselineHash = last.Result
	if p.BaselineHash == "" {
		p.BaselineHash = p.hash(replayed)
	}
	if first := files[0]; first.Start == 0 && first.Baseline != "" && first.Baseline != p.hash(p.Live) {
		if s.RebaseDrifted {
			return &pendingDriftedError{file: first.Name, expected: first.Baseline, live: p.hash(p.Live)}
		}
		a.warnf("pending migration %s expects baseline %s but live is %s: migrate apply will refuse it; run `pg-flux migrate rebase` to regenerate the pending files against live",
			first.Name, shortChecksum(first.Baseline), shortChecksum(p.hash(p.Live)))
	}
	a.log.Info("planning on top of pending migrations", "pending", strings.Join(names, ","))
	a.io.Errorf("Planning on top of %d pending migration(s): %s\n", len(names), strings.Join(names, ", "))
	p.Live = replayed
	return nil
}

// pendingDriftedError says that the first pending file was generated
// against a live state that has drifted since (settings.RebaseDrifted).
type pendingDriftedError struct{ file, expected, live string }

func (e *pendingDriftedError) Error() string {
	return fmt.Sprintf("pending migration %s expects baseline %s but live is %s", e.file, shortChecksum(e.expected), shortChecksum(e.live))
}

// baseline is the state the plan starts from: the last pending file's
// result when the plan is on top of pending files, else live's hash.
func (p *pipeline) baseline() string {
	if p.BaselineHash != "" {
		return p.BaselineHash
	}
	return p.hash(p.Live)
}

// migrationName is the name of a new migration file: the time and the
// label, the time moved past the newest file already in dir, so that the new
// file sorts after every existing one (files apply in name order).
func migrationName(dir string, now time.Time, label string) string {
	const layout = "20060102_150405"
	now = now.UTC().Truncate(time.Second)
	files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
	for _, f := range files {
		base := filepath.Base(f)
		if len(base) < len(layout) {
			continue
		}
		if t, err := time.Parse(layout, base[:len(layout)]); err == nil && !t.Before(now) {
			now = t.Add(time.Second)
		}
	}
	return now.Format(layout) + "_" + sanitizeLabel(label)
}
