package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

// Where migrate generate writes the Down section (--down).
const (
	downInline = "inline" // after a "-- +pg-flux Down" line in the file
	downFile   = "file"   // in <name>.down.sql beside it
	downNone   = "none"
)

func checkDownMode(mode string) error {
	switch mode {
	case downInline, downFile, downNone:
		return nil
	}
	return usageErrorf("invalid --down %q (use inline, file or none)", mode)
}

// downSection plans the way back from the state the new migration produces
// (p.Result) to the state it starts from (p.Live), proves it, and
// classifies it. The proof is made on the scratch copy of live the
// migration was just proven on, when the pipeline kept it (stagePlanDown;
// it is closed here), else on a new copy of live after the pending files
// and the migration itself. The Up's DATA_LOSS findings are repeated as
// what the Down cannot bring back. A Down that cannot be proven is left
// out, with a warning.
func (a *app) downSection(ctx context.Context, s *settings, t *target, p *pipeline) *migration.Down {
	// The Down goes from the Up's result back to live: the desired model
	// and the parsed source are of no more use. Without them, and without
	// the Up's result once the Down is planned (planDown), its proof holds
	// live and the state it reads rather than four models of about 5 MB
	// each on 1,000 tables, and the Go heap is no longer collected over and
	// over at its limit: the proof took about 90 ms less there.
	p.Desired, p.Set = nil, nil
	down, err := a.planDown(ctx, s, t, p)
	p.closeProof(ctx) // of no more use
	if err != nil {
		a.warnf("no Down section written: %v; migrate rollback will refuse this migration", firstLineOf(err.Error()))
		return nil
	}
	return down
}

func (a *app) planDown(ctx context.Context, s *settings, t *target, p *pipeline) (*migration.Down, error) {
	dp, err := plan.Build(p.Result.Model, p.Live, s.Plan)
	if err != nil {
		return nil, err
	}
	dp = plan.Rewrite(dp, p.Result.Model, p.Live, s.Plan)
	// Renames are undone last, by renaming back.
	dp.Steps = append(dp.Steps, plan.RenameSteps(diff.Reverse(p.Renames))...)
	down := &migration.Down{Steps: dp.Steps}
	for _, f := range p.Findings {
		if f.Kind == hazard.DataLoss {
			down.Findings = append(down.Findings, hazard.Finding{Kind: hazard.DataLoss,
				Message: "Not restored by this Down: the Up " + lowerFirst(f.Message) + "; the data it held does not come back"})
		}
	}
	if len(dp.Steps) == 0 {
		return down, nil
	}
	stmts := stepStatements("down", dp.Steps)
	vol, err := hazard.LookupVolatility(ctx, t.Conn, stmts)
	if err != nil {
		return nil, err
	}
	findings, err := hazard.ClassifyWith(stmts, p.Result.Model, hazard.Options{Volatility: vol})
	if err != nil {
		return nil, err
	}
	down.Findings = append(down.Findings, findings...)
	// Of the Up's result only its hash is used from here on: the proof
	// below holds live and the state it reads, not a third model.
	p.Result = &shadow.Proven{Hash: p.Result.Hash}
	// Proven where the Up was, right after it (p.proof), else on a new
	// copy of live after the pending files and the Up.
	after := append(append([]shadow.Pending{}, p.Pending...), shadow.Pending{Name: "the new migration", Steps: p.Plan.Steps})
	began := time.Now()
	_, on, hit, err := shadow.CachedValidate(ctx, p.cache, p.cacheKey, p.openShadow, shadow.Validation{
		Live: p.Applied, LiveHash: p.hash(p.Applied), Pending: after, Plan: dp, Desired: p.start(), DesiredHash: p.hash(p.start()), Schemas: s.TargetSchemas, Exec: migration.Execute,
		On: p.proof, Check: true})
	if err != nil {
		return nil, err
	}
	switch {
	case hit:
		a.log.Debug("down proven before", "cache", cacheState(p.cache, hit), logDurationMS, since(began))
	case on != nil:
		a.log.Debug("down proven on the migration's copy of live", "cache", cacheState(p.cache, hit), logDurationMS, since(began))
	default:
		a.log.Debug("down proven on a new copy of live", "cache", cacheState(p.cache, hit), logDurationMS, since(began))
	}
	return down, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func firstLineOf(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

type rollbackOptions struct {
	guardFlags
	To string
}

func (a *app) rollbackCommand() *cobra.Command {
	var opts rollbackOptions
	cmd := &cobra.Command{
		Use:   "rollback [N]",
		Short: "Undo the last N applied migrations with their Down sections",
		Long: `Run the Down sections of the last N applied migration files (default 1),
newest first, and remove them from the ledger, so that migrate apply would
run them again. The guards are apply's: the advisory lock; live must be the
state the newest file produced (--force-after-drift to skip); every Down
statement is classified for hazards and refused unless allowed
(--allow-hazards: dropping what the migration created loses the rows written
since); each statement waits at most --lock-timeout and is retried. Progress
is recorded in the ledger after each committed step, so an interrupted
rollback resumes where it stopped. Files without a Down section (hand-written
ones) are refused.

With --to FILE, every applied file from the newest down to and including FILE
is rolled back, and nothing when FILE is no longer applied: a deploy script
can run the same command again after an interruption without undoing one
file too many (with N, a rollback cut off after its last step would be
followed by a second one).`,
		Example: `  pg-flux migrate rollback
  pg-flux migrate rollback 3 --dry-run
  pg-flux migrate rollback --to 20261204093000_add_orders.sql
  pg-flux migrate rollback --allow-hazards=DATA_LOSS`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			n := 1
			if len(args) == 1 {
				v, err := strconv.Atoi(args[0])
				if err != nil || v < 1 {
					return usageErrorf("N must be a positive number of migrations, not %q", args[0])
				}
				n = v
				if opts.To != "" {
					return usageErrorf("give N or --to, not both")
				}
			}
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runRollback(cmd.Context(), s, opts, n)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&opts.DryRun, "dry-run", false, "check and show what would be rolled back; run nothing")
	f.StringVar(&opts.AllowHazards, "allow-hazards", "", "allow these blocking hazard kinds, comma-separated (e.g. DATA_LOSS)")
	addMassDropFlags(cmd, &opts.AllowMassDrop)
	f.BoolVar(&opts.ForceAfterDrift, "force-after-drift", false, "roll back even if live drifted since the migration was applied")
	f.StringVar(&opts.To, "to", "", "roll back down to and including this migration file (by name); nothing when it is not applied")
	addLockFlags(f)
	return cmd
}

func (a *app) runRollback(ctx context.Context, s *settings, opts rollbackOptions, n int) error {
	kinds, err := allowedKinds(s, opts.guardFlags)
	if err != nil {
		return err
	}
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	ao := a.guardOptions(s, t, opts.guardFlags, kinds)
	to := opts.To
	if to != "" {
		to = filepath.Base(to) // a path to the file names it too
	}
	res, err := migration.Rollback(ctx, t.Conn, migration.RollbackOptions{ApplyOptions: ao, Count: n, To: to})
	if res != nil && !opts.DryRun {
		for _, f := range res.Files {
			a.io.Printf("Rolled back %s (%s, %d ms)\n", f.Name, report.CountNoun(f.Steps-f.FirstStep, "statement"), f.Duration.Milliseconds())
		}
	}
	if err != nil {
		return err
	}
	switch {
	case res.NotApplied:
		a.io.Printf("Nothing to roll back: %s is not recorded as applied.\n", to)
	case len(res.Files) == 0:
		a.io.Printf("Nothing to roll back: no migration is recorded as applied.\n")
	case opts.DryRun:
		a.io.Printf("Dry run: nothing was executed.\n")
	}
	return nil
}
