package cli

import (
	"context"
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/source"
)

type lintOptions struct {
	AllowHazards string
}

func (a *app) lintCommand() *cobra.Command {
	var opts lintOptions
	cmd := &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check hand-written migration SQL for hazards",
		Long: `Classify the statements of SQL files with the same rules migrate apply uses
and print every finding as file:line: [HAZARD KIND] message.

With a database (--db, DATABASE_URL or db: in the config) the findings use
its live schema: row estimates, column types, indexes, function volatility,
and the mass-drop guard. Without one lint works from the SQL alone and errs
on the side of reporting; the embedded dev database is never used.

Each file is judged on its own, as one migration. Exit 0 when no blocking
hazard is found (advisories only), 1 when one is (unless allowed with
--allow-hazards or allow_hazards in the config file), 2 when a file cannot
be read or parsed.`,
		Example: `  pg-flux lint migrations/20260520_drop_legacy.sql
  pg-flux lint --db "$DATABASE_URL" migrations/*.sql`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runLint(cmd.Context(), s, files, opts)
		}),
	}
	cmd.Flags().StringVar(&opts.AllowHazards, "allow-hazards", "", "blocking hazard kinds that do not fail the lint, comma-separated")
	addMassDropFlags(cmd, new(bool))
	return cmd
}

func (a *app) runLint(ctx context.Context, s *settings, files []string, opts lintOptions) error {
	allowed, err := allowedHazards(s, opts.AllowHazards, false)
	if err != nil {
		return err
	}
	// Only an explicit target gives live context: the embedded dev
	// database says nothing about production.
	var live *model.Model
	var t *target
	if s.DBSource == "" {
		a.io.Errorf("note: no database given (--db, DATABASE_URL or db: in the config): linting without live context; findings that need the live schema are reported conservatively\n")
	} else {
		if t, err = a.openTarget(ctx, s); err != nil {
			return err
		}
		defer t.Close()
		if live, err = catalog.Inspect(ctx, t.Conn, catalog.Options{Schemas: s.TargetSchemas, Parallel: true}); err != nil {
			return err
		}
	}

	unparsable, blocking, advisory := 0, 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			a.io.Errorf("%s: %v\n", file, errors.Unwrap(err))
			unparsable++
			continue
		}
		stmts, err := source.Split(file, string(data))
		if err != nil {
			var se *source.Error
			if errors.As(err, &se) {
				a.io.Errorf("%s\n", se.Error())
			} else {
				a.io.Errorf("%s: %v\n", file, err)
			}
			unparsable++
			continue
		}
		var findings []hazard.Finding
		opts := hazard.Options{}
		if t != nil {
			if opts.Volatility, err = hazard.LookupVolatility(ctx, t.Conn, stmts); err != nil {
				return err
			}
		}
		if findings, err = hazard.ClassifyWith(stmts, live, opts); err != nil {
			a.io.Errorf("%v\n", err)
			unparsable++
			continue
		}
		if live != nil && len(stmts) > 0 && !allowed[hazard.MassDrop] {
			n, err := hazard.CountDrops(stmts, live)
			if err != nil {
				return err
			}
			if n.Exceeds(s.MassDropThreshold) {
				findings = append(findings, hazard.Finding{Kind: hazard.MassDrop, Message: n.Describe(s.MassDropThreshold), Statement: 0})
			}
		}
		for _, f := range findings {
			note := ""
			switch {
			case f.Kind.Blocking() && allowed[f.Kind]:
				note = " (allowed)"
			case f.Kind.Blocking():
				blocking++
			default:
				advisory++
			}
			a.io.Printf("%s:%d: %s%s\n", file, stmts[f.Statement].Line, f.String(), note)
		}
	}
	advisories := "advisories"
	if advisory == 1 {
		advisories = "advisory"
	}
	a.io.Errorf("lint: %s, %s, %d %s\n", report.CountNoun(len(files), "file"), report.CountNoun(blocking, "blocking hazard"), advisory, advisories)
	switch {
	case unparsable > 0:
		return &exitCode{code: ExitError}
	case blocking > 0:
		return &exitCode{code: ExitFound}
	}
	return nil
}
