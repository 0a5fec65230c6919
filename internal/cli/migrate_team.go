package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/shadow"
	"github.com/pg-flux/pg-flux/internal/source"
)

func (a *app) repairCommand() *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Re-record the checksums of applied files after a comment-only edit",
		Long: `After an applied migration file was edited in comments or whitespace only,
re-record its checksum in the ledger so that migrate apply and migrate status
accept it again. Statements, the Down section's included (migrate rollback
runs them), are compared as PostgreSQL parse trees with the ones recorded
when the file was applied, not as text: when a statement changed, repair
refuses, naming the first changed statement, and writes nothing (restore
the file and put the change in a new migration). repair also
rebuilds the ledger's checksum chain when a ledger row was deleted on
purpose.`,
		Example: `  pg-flux migrate repair --dry-run
  pg-flux migrate repair`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runRepair(cmd.Context(), s, dryRun)
		}),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be re-recorded; write nothing")
	return cmd
}

func (a *app) runRepair(ctx context.Context, s *settings, dryRun bool) error {
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	res, err := migration.Repair(ctx, t.Conn, migration.RepairOptions{
		Dir: s.MigrationsDir, TrackingSchema: s.TrackingSchema, Target: t.Desc, DryRun: dryRun,
	})
	var re *migration.RepairError
	if errors.As(err, &re) {
		return &refusal{msg: re.Error()}
	}
	if err != nil {
		return err
	}
	verb := "Re-recorded"
	if dryRun {
		verb = "Would re-record"
	}
	for _, f := range res.Files {
		a.io.Printf("%s the checksum of %s: only comments or whitespace changed\n", verb, f)
	}
	if res.Rechained {
		if dryRun {
			a.io.Printf("Would rebuild the ledger's checksum chain from %s on\n", res.ChainFrom)
		} else {
			a.io.Printf("Rebuilt the ledger's checksum chain from %s on\n", res.ChainFrom)
		}
	}
	if len(res.Files) == 0 && !res.Rechained {
		a.io.Printf("Nothing to repair: every applied file matches the ledger.\n")
	}
	return nil
}

func (a *app) rebaseCommand() *cobra.Command {
	var dryRun bool
	var down string
	cmd := &cobra.Command{
		Use:   "rebase",
		Short: "Regenerate the pending migration files against live as it is now",
		Long: `After other migrations were applied first (a merged branch), the pending
files were generated against a live state that no longer exists: migrate apply
refuses them. rebase replays them in order on a scratch copy of live as it is
now, keeping their file names (and so their order):

  rebased             the file still replays: its SQL is kept, it gets new
                      baseline and result hashes and re-classified hazards;
  regenerated         the first file that no longer replays (or the last one,
                      when the replayed state is not source) is planned again
                      from the state before it to source;
  folded into <file>  the pending files after a regenerated one are merged
                      into it and removed.

Review the rewritten files, commit them, then run migrate apply.`,
		Example: `  pg-flux migrate rebase --dry-run
  pg-flux migrate rebase && pg-flux migrate apply`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkDownMode(down); err != nil {
				return err
			}
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runRebase(cmd.Context(), s, dryRun, down)
		}),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would happen to each pending file; write nothing")
	cmd.Flags().StringVar(&down, "down", downInline, "where a regenerated file's Down section goes: inline, file or none")
	return cmd
}

func (a *app) runRebase(ctx context.Context, s *settings, dryRun bool, downMode string) error {
	s.OnPending = false
	return a.withPipeline(ctx, s, stageModels, func(t *target, p *pipeline) error {
		files, err := migration.Pending(ctx, t.Conn, s.MigrationsDir, s.TrackingSchema)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			a.io.Printf("Nothing to rebase: no pending migrations.\n")
			return nil
		}
		for _, f := range files {
			if f.Start > 0 {
				return &refusal{msg: fmt.Sprintf("refusing to rebase: %s is partly applied (%d of %d step(s)); run `pg-flux migrate apply` to finish it first", f.Name, f.Start, len(f.Steps))}
			}
		}
		// Replay longer and longer prefixes until one fails.
		var pend []shadow.Pending
		var states []*model.Model
		redo := -1
		srv, err := p.server(ctx)
		if err != nil {
			return err
		}
		for i, f := range files {
			pend = append(pend, shadow.Pending{Name: f.Name, Steps: f.Steps})
			m, err := shadow.Replay(ctx, srv, p.Live, pend, s.TargetSchemas, migration.Execute)
			var re *shadow.ReplayError
			if errors.As(err, &re) {
				a.log.Info("pending migration no longer replays", logMigration, f.Name, "detail", re.Err.Error())
				redo = i
				break
			}
			if err != nil {
				return err
			}
			states = append(states, m)
		}
		if redo < 0 && len(diff.Compare(states[len(states)-1], p.Desired)) > 0 {
			redo = len(files) - 1
		}
		before := func(i int) *model.Model {
			if i == 0 {
				return p.Live
			}
			return states[i-1]
		}
		type write struct {
			path    string
			content []byte
		}
		var writes []write
		var removes []string
		var lines []string
		keep := len(files)
		if redo >= 0 {
			keep = redo
		}
		for i := 0; i < keep; i++ {
			f := files[i]
			content, downContent, err := a.rebased(ctx, t, f.File, before(i), states[i])
			if err != nil {
				return err
			}
			writes = append(writes, write{f.Path, content})
			if downContent != nil {
				writes = append(writes, write{f.Down.Path, downContent})
			}
			lines = append(lines, f.Name+": rebased")
		}
		if redo >= 0 {
			f := files[redo]
			q := &pipeline{Set: p.Set, Live: before(redo), Desired: p.Desired, openShadow: p.openShadow, Applied: p.Live, Pending: pend[:redo],
				keepProof: downMode != downNone}
			defer q.closeProof(ctx)
			q.BaselineHash = q.hash(q.Live)
			if err := a.plan(ctx, s, t, q); err != nil {
				return err
			}
			name := strings.TrimSuffix(f.Name, ".sql")
			for _, old := range []string{f.Path, strings.TrimSuffix(f.Path, ".sql") + migration.DownSuffix} {
				if _, err := os.Stat(old); err == nil {
					removes = append(removes, old)
				}
			}
			if len(q.Plan.Steps) == 0 {
				lines = append(lines, f.Name+": removed (live already has its changes)")
			} else {
				var down *migration.Down
				if downMode != downNone {
					down = a.downSection(ctx, s, t, q)
				}
				if downMode == downFile {
					writes = append(writes, write{f.Path, migration.Render(name, q.baseline(), q.Result.Hash, q.Findings, q.Plan.Steps)})
					if down != nil {
						writes = append(writes, write{strings.TrimSuffix(f.Path, ".sql") + migration.DownSuffix, migration.RenderDown(down)})
					}
				} else {
					writes = append(writes, write{f.Path, migration.RenderWithDown(name, q.baseline(), q.Result.Hash, q.Findings, q.Plan.Steps, down)})
				}
				lines = append(lines, f.Name+": regenerated")
			}
			for _, later := range files[redo+1:] {
				removes = append(removes, later.Path)
				if later.Down != nil && later.Down.Path != later.Path {
					removes = append(removes, later.Down.Path)
				}
				if len(q.Plan.Steps) == 0 {
					lines = append(lines, later.Name+": removed (live already has its changes)")
				} else {
					lines = append(lines, later.Name+": folded into "+f.Name)
				}
			}
		}
		for _, l := range lines {
			a.io.Printf("%s\n", l)
		}
		if dryRun {
			a.io.Printf("Dry run: nothing was written.\n")
			return nil
		}
		for _, r := range removes {
			if err := os.Remove(r); err != nil {
				return fmt.Errorf("rebase: %w", err)
			}
		}
		for _, w := range writes {
			if err := os.WriteFile(w.path, w.content, 0o644); err != nil {
				return fmt.Errorf("rebase: %w", err)
			}
		}
		return nil
	})
}

// rebased re-renders a pending file that still replays: its statements
// (and Down section) are kept; its hashes are from..to and its hazards are
// classified again against the state before it. The second result is the
// content of a separate .down.sql, if the file has one.
func (a *app) rebased(ctx context.Context, t *target, f *migration.File, from, to *model.Model) ([]byte, []byte, error) {
	findings, err := classifyAgainst(ctx, t, f.Statements, from)
	if err != nil {
		return nil, nil, err
	}
	name := strings.TrimSuffix(f.Name, ".sql")
	var down *migration.Down
	if f.Down != nil {
		df, err := classifyAgainst(ctx, t, f.Down.Statements, to)
		if err != nil {
			return nil, nil, err
		}
		down = &migration.Down{Findings: df, Steps: f.Down.Steps}
	}
	if down != nil && f.Down.Path != f.Path {
		return migration.Render(name, from.Hash(), to.Hash(), findings, f.Steps), migration.RenderDown(down), nil
	}
	return migration.RenderWithDown(name, from.Hash(), to.Hash(), findings, f.Steps, down), nil, nil
}

func classifyAgainst(ctx context.Context, t *target, stmts []source.Statement, m *model.Model) ([]hazard.Finding, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	vol, err := hazard.LookupVolatility(ctx, t.Conn, stmts)
	if err != nil {
		return nil, err
	}
	return hazard.ClassifyWith(stmts, m, hazard.Options{Volatility: vol})
}
