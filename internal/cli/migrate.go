package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/report"
)

func (a *app) migrateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Generate, apply and track migration files",
		Long: `Migration files are plain SQL in migrations/, generated from the difference
between source and live, reviewed like code, and applied in order with
guards: an advisory lock, checksums of applied files, a baseline-hash check
that refuses when live drifted since generation, and hazard checks that
refuse destructive statements unless allowed.`,
		Example: `  pg-flux migrate generate --label add_orders
  pg-flux migrate apply
  pg-flux migrate status`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(a.generateCommand(), a.migrateApplyCommand(), a.statusCommand(), a.baselineCommand())
	cmd.AddCommand(a.repairCommand(), a.rollbackCommand(), a.rebaseCommand())
	return cmd
}

type generateOptions struct {
	Label         string
	DryRun        bool
	IgnorePending bool
	Down          string
	safetyFlags
}

func (a *app) generateCommand() *cobra.Command {
	var opts generateOptions
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a migration file that brings live in step with source",
		Long: `Plan the change from the live database to the source schema, prove it on a
scratch copy of live, and write it to migrations/<YYYYMMDD_HHMMSS>_<label>.sql.
The file records the hash of the live state it expects (baseline) and of the
state it produces (result), and names every hazard in a comment. generate
never changes the database and succeeds whatever the hazards, with two
exceptions that write nothing and exit 1: a mass drop (more than
--mass-drop-threshold percent of the live tables, views and sequences; allow
with --allow-mass-drop) and a NOT NULL column without a default added to a
table with rows (which PostgreSQL would reject).

The new file plans on top of the pending (not yet applied) files. When live
has drifted since the first of them was generated, which migrate apply
refuses, they are rebased onto live first, as migrate rebase does.

The safety rewrites of pg-flux plan apply; each rewritten step is marked
"[rewrite: <name>]" in the file.`,
		Example: `  pg-flux migrate generate --label add_orders
  pg-flux migrate generate --dry-run`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			if err := checkDownMode(opts.Down); err != nil {
				return err
			}
			opts.safetyFlags.apply(s)
			s.OnPending = !opts.IgnorePending
			return a.runGenerate(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().StringVarP(&opts.Label, "label", "l", "migration", "label at the end of the file name ([a-z0-9_])")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the file instead of writing it")
	addIgnorePendingFlag(cmd, &opts.IgnorePending)
	cmd.Flags().StringVar(&opts.Down, "down", downInline, "where to write the Down section that migrate rollback runs: inline (after a \"-- +pg-flux Down\" line), file (<name>.down.sql) or none")
	addRewriteFlags(cmd, &opts.safetyFlags)
	addMassDropFlags(cmd, &opts.AllowMassDrop)
	return cmd
}

var labelJunk = regexp.MustCompile(`[^a-z0-9_]+`)

// sanitizeLabel makes a label safe for a file name: "Add Role!" → "add_role".
func sanitizeLabel(label string) string {
	l := labelJunk.ReplaceAllString(strings.ToLower(label), "_")
	l = strings.Trim(regexp.MustCompile(`_+`).ReplaceAllString(l, "_"), "_")
	if l == "" {
		return "migration"
	}
	return l
}

// runGenerate writes the migration. Pending files generated against a live
// state that has drifted since are rebased first (runRebase): migrate
// apply refuses them with the advice to re-run migrate generate.
func (a *app) runGenerate(ctx context.Context, s *settings, opts generateOptions) error {
	s.RebaseDrifted = s.OnPending
	err := a.writeMigration(ctx, s, opts)
	var drifted *pendingDriftedError
	if !errors.As(err, &drifted) {
		return err
	}
	a.io.Errorf("Live has drifted since %s was generated (expected baseline=%s, live=%s): rebasing the pending migrations onto it first.\n",
		drifted.file, shortChecksum(drifted.expected), shortChecksum(drifted.live))
	if err := a.runRebase(ctx, s, opts.DryRun, opts.Down); err != nil {
		return err
	}
	// A dry run wrote nothing: the plan below is on the files as they are.
	s.OnPending, s.RebaseDrifted = true, false
	return a.writeMigration(ctx, s, opts)
}

// writeMigration plans and writes one migration file (runGenerate).
func (a *app) writeMigration(ctx context.Context, s *settings, opts generateOptions) error {
	upTo := stagePlanDown
	if opts.Down == downNone {
		upTo = stagePlan
	}
	return a.withPipeline(ctx, s, upTo, func(t *target, p *pipeline) error {
		steps := p.Plan.Steps
		if len(steps) == 0 && len(p.Pending) > 0 {
			a.io.Printf("No changes: the pending migrations already bring live in step with source; no migration written.\n")
			return nil
		}
		if len(steps) == 0 {
			a.io.Printf("No changes: live database already matches source; no migration written.\n")
			return nil
		}
		if opts.IgnorePending {
			if err := a.warnPending(ctx, t, s); err != nil {
				return err
			}
		}
		name := migrationName(s.MigrationsDir, a.now(), opts.Label)
		var down *migration.Down
		if opts.Down != downNone {
			down = a.downSection(ctx, s, t, p)
		}
		var content, downContent []byte
		if opts.Down == downFile {
			content = migration.Render(name, p.baseline(), p.Result.Hash, p.Findings, steps)
			if down != nil {
				downContent = migration.RenderDown(down)
			}
		} else {
			content = migration.RenderWithDown(name, p.baseline(), p.Result.Hash, p.Findings, steps, down)
		}
		if opts.DryRun {
			_, err := a.io.Out.Write(append(content, downContent...))
			return err
		}
		path := filepath.Join(s.MigrationsDir, name+".sql")
		if downContent != nil {
			if err := writeNewFile(filepath.Join(s.MigrationsDir, name+migration.DownSuffix), downContent); err != nil {
				return err
			}
		}
		if err := writeNewFile(path, content); err != nil {
			return err
		}
		a.log.Info("migration generated", logMigration, name+".sql", logStatement, len(steps))
		a.io.Printf("Generated: %s (%s)\n", path, report.CountNoun(len(steps), "statement"))
		if blocked := blockedFindings(p.Findings, nil); len(blocked) > 0 {
			kinds := map[hazard.Kind]bool{}
			var list []hazard.Kind
			for _, f := range blocked {
				if !kinds[f.Kind] {
					kinds[f.Kind] = true
					list = append(list, f.Kind)
				}
			}
			a.io.Errorf("note: the migration has blocking hazards (%s); migrate apply will refuse it unless they are allowed\n", hazard.JoinKinds(list))
		}
		return nil
	})
}

// warnPending warns when earlier generated files are not applied yet: the
// plan is computed against live, so the new file repeats their changes.
func (a *app) warnPending(ctx context.Context, t *target, s *settings) error {
	entries, err := migration.Status(ctx, t.Conn, s.MigrationsDir, s.TrackingSchema)
	if err != nil {
		return err
	}
	var pending []string
	for _, e := range entries {
		if e.State == migration.StatePending || e.State == migration.StatePartial {
			pending = append(pending, e.Name)
		}
	}
	if len(pending) > 0 {
		a.warnf("%d pending migration(s) not yet applied: %s; run pg-flux migrate apply first", len(pending), strings.Join(pending, ", "))
	}
	return nil
}

// guardFlags are the flags migrate apply and migrate rollback share: the
// same guards, set the same way.
type guardFlags struct {
	DryRun          bool
	AllowHazards    string
	AllowMassDrop   bool
	ForceAfterDrift bool
}

// guardOptions are the ApplyOptions of migrate apply and migrate rollback
// from the settings and the shared flags, for target t. A dry run's output
// (the SQL that would run) is the point, so it goes to stdout; otherwise
// progress lines are the command's own.
func (a *app) guardOptions(s *settings, t *target, g guardFlags, allowed []hazard.Kind) migration.ApplyOptions {
	var out io.Writer = io.Discard
	if g.DryRun {
		out = a.io.Out
	}
	return migration.ApplyOptions{
		Dir:            s.MigrationsDir,
		TrackingSchema: s.TrackingSchema,
		Schemas:        s.TargetSchemas,
		ManageOwners:   s.ManageOwners,
		AllowHazards:   allowed,
		// Zero means the default in ApplyOptions; a configured 0% is
		// passed as negative.
		MassDropThreshold: massDropOption(s.MassDropThreshold),
		ForceAfterDrift:   g.ForceAfterDrift,
		DryRun:            g.DryRun,
		LockTimeout:       s.LockTimeout,
		LockRetries:       retriesOption(s.LockRetries),
		StatementTimeout:  s.StatementTimeout,
		Progress:          a.progress(),
		Target:            t.Desc,
		Version:           Version,
		Out:               out,
		Logger:            a.log,
	}
}

// allowedKinds are the blocking hazard kinds the settings and flags allow,
// in hazard.Kinds order.
func allowedKinds(s *settings, g guardFlags) ([]hazard.Kind, error) {
	allowed, err := allowedHazards(s, g.AllowHazards, g.AllowMassDrop)
	if err != nil {
		return nil, err
	}
	var kinds []hazard.Kind
	for _, k := range hazard.Kinds {
		if allowed[k] {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

func (a *app) migrateApplyCommand() *cobra.Command {
	var opts guardFlags
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Apply pending migration files in order",
		Long: `Apply the pending files of migrations/ in file-name order, each recorded in
the ledger (<tracking-schema>.migrations). Before any statement of a file
runs, pg-flux checks that live still matches the file's baseline hash
(--force-after-drift to skip), re-classifies the file's statements for
hazards (--allow-hazards, or allow_hazards in the config file), and applies
the mass-drop guard. Each statement waits at most --lock-timeout for its
locks; when they are not granted it is retried with backoff (--lock-retries)
and the final error names the blocking sessions. An interrupted apply
(killed, connection lost) is resumed by the next one after the last
committed step. Long steps show their progress on a terminal. Two applies
against one database serialise on an advisory lock.`,
		Example: `  pg-flux migrate apply
  pg-flux migrate apply --dry-run
  pg-flux migrate apply --allow-hazards=DATA_LOSS
  pg-flux migrate apply --force-after-drift --lock-timeout 10s`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runMigrateApply(cmd.Context(), s, opts)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&opts.DryRun, "dry-run", false, "check and show what would be applied; run nothing")
	f.StringVar(&opts.AllowHazards, "allow-hazards", "", "allow these blocking hazard kinds, comma-separated (e.g. DATA_LOSS)")
	addMassDropFlags(cmd, &opts.AllowMassDrop)
	f.BoolVar(&opts.ForceAfterDrift, "force-after-drift", false, "apply even if live drifted since the migration was generated")
	addLockFlags(f)
	return cmd
}

func (a *app) runMigrateApply(ctx context.Context, s *settings, opts guardFlags) error {
	kinds, err := allowedKinds(s, opts)
	if err != nil {
		return err
	}
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	res, err := migration.Apply(ctx, t.Conn, a.guardOptions(s, t, opts, kinds))
	if res != nil {
		// Files applied before a failure are reported before the error.
		// (Apply's warnings reach stderr through the logger.)
		if !opts.DryRun {
			for _, f := range res.Applied {
				a.io.Printf("Applied %s (%s, %d ms)\n", f.Name, report.CountNoun(f.Steps-f.FirstStep, "statement"), f.Duration.Milliseconds())
			}
		}
	}
	if err != nil {
		return err
	}
	switch {
	case len(res.Applied) > 0 && opts.DryRun:
		a.io.Printf("Dry run: nothing was executed.\n")
	case len(res.Applied) == 0:
		files, err := migration.ReadDir(s.MigrationsDir)
		if err != nil {
			return err
		}
		a.io.Printf("Nothing to apply: all %d migration(s) are applied.\n", len(files))
	}
	return nil
}

func (a *app) statusCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which migration files are applied, pending or need attention",
		Long: `List every migration file with its state, when it was applied, how long it
took, its checksum and the hazards allowed for it. States: applied,
baselined (marked applied without running), pending, out-of-order (pending,
but older than the newest applied file), partial (an apply stopped between
steps; the next apply resumes it), rolling-back (likewise for a rollback),
modified (changed after it was applied), missing (applied, but no longer in
the directory) and renamed (pending with the bytes of a missing applied
file). The ledger's checksum chain is checked too: a deleted or edited
ledger row breaks it.

Exit status 1 when something needs attention (modified, missing, renamed,
partial, rolling-back, a broken chain), so status works as a CI gate.`,
		Example: `  pg-flux migrate status
  pg-flux migrate status --format json --db "$DATABASE_URL"`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageErrorf("invalid --format %q (use text or json)", format)
			}
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runStatus(cmd.Context(), s, format)
		}),
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func (a *app) runStatus(ctx context.Context, s *settings, format string) error {
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	rep, err := migration.StatusOf(ctx, t.Conn, s.MigrationsDir, s.TrackingSchema)
	if err != nil {
		return err
	}
	if format == "json" {
		if rep.Entries == nil {
			rep.Entries = []migration.StatusEntry{}
		}
		enc := json.NewEncoder(a.io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := a.statusText(rep, s); err != nil {
		return err
	}
	if rep.NeedsAttention() {
		return &exitCode{code: ExitFound}
	}
	return nil
}

func (a *app) statusText(rep *migration.StatusReport, s *settings) error {
	if len(rep.Entries) == 0 {
		a.io.Printf("No migrations in %s.\n", s.MigrationsDir)
		return nil
	}
	tw := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSTATE\tAPPLIED AT\tDURATION\tCHECKSUM\tALLOWED HAZARDS")
	for _, e := range rep.Entries {
		at, took := "-", "-"
		if !e.AppliedAt.IsZero() {
			at = e.AppliedAt.Local().Format("2006-01-02 15:04:05")
			took = fmt.Sprintf("%dms", e.DurationMS)
		}
		state := string(e.State)
		switch {
		case e.Baselined && e.State == migration.StateApplied:
			state = "baselined"
		case e.State == migration.StatePartial:
			state = fmt.Sprintf("partial (%d/%d steps)", e.StepsDone, e.StepsTotal)
		}
		allowed := "-"
		if len(e.AllowedHazards) > 0 {
			allowed = strings.Join(e.AllowedHazards, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, state, at, took, shortChecksum(e.Checksum), allowed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range rep.Entries {
		if e.Note != "" && e.State != migration.StatePending {
			a.io.Printf("%s: %s\n", e.Name, e.Note)
		}
	}
	if rep.ChainBrokenAt != "" {
		a.io.Printf("ledger: the checksum chain breaks at %s: %s\n", rep.ChainBrokenAt, rep.ChainNote)
	}
	return nil
}

// shortChecksum shows the first 12 hex digits, enough to tell files apart.
func shortChecksum(c string) string {
	c = strings.TrimPrefix(c, "sha256:")
	if len(c) > 12 {
		c = c[:12]
	}
	if c == "" {
		return "-"
	}
	return c
}

func (a *app) baselineCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "baseline FILE...",
		Short: "Mark migration files as applied without running them",
		Long: `Record migration files in the ledger as applied, with their checksums,
without running them: for a database whose objects already exist (created
by hand, by another tool, or restored from a dump).`,
		Example: `  pg-flux migrate baseline migrations/20260101_initial.sql`,
		Args:    cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runBaseline(cmd.Context(), s, files)
		}),
	}
}

func (a *app) runBaseline(ctx context.Context, s *settings, files []string) error {
	// The ledger names files by their base name, in the migrations
	// directory: a row for a file elsewhere would be "missing" for good.
	dir, err := filepath.Abs(s.MigrationsDir)
	if err != nil {
		return err
	}
	for _, f := range files {
		if abs, err := filepath.Abs(f); err != nil || filepath.Dir(abs) != dir {
			return &userError{msg: fmt.Sprintf("%s is not in the migrations directory %s", f, displayDir(s.MigrationsDir)),
				hint: "migrate baseline marks files of the migrations directory, which migrate apply runs: move the file there first, or point --migrations-dir at its directory"}
		}
	}
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	marked, err := migration.Baseline(ctx, t.Conn, s.TrackingSchema, files)
	if err != nil {
		return err
	}
	for _, name := range marked {
		a.io.Printf("Marked %s as applied (checksum recorded)\n", name)
	}
	return nil
}
