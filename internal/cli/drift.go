package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/report"
)

type driftOptions struct {
	Strict bool
	Format string
}

func (a *app) driftCommand() *cobra.Command {
	var opts driftOptions
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Compare source and live in both directions",
		Long: `Report every difference between the source schema and the live database:
objects source declares that live lacks (+), objects live has that source
does not declare (-), and objects that differ (~).

With --strict the exit code is 1 when there is any difference, for CI.`,
		Example: `  pg-flux drift
  pg-flux drift --strict --db "$DATABASE_URL"
  pg-flux drift --format json`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runDrift(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "exit 1 when source and live differ")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return cmd
}

func (a *app) runDrift(ctx context.Context, s *settings, opts driftOptions) error {
	render := report.DriftText
	switch opts.Format {
	case "text":
	case "json":
		render = report.DriftJSON
	default:
		return usageErrorf("invalid --format %q (use text or json)", opts.Format)
	}
	return a.withPipeline(ctx, s, stageModels, func(_ *target, p *pipeline) error {
		changes := diff.Compare(p.Live, p.Desired)
		if err := render(a.io.Out, changes); err != nil {
			return err
		}
		if opts.Strict && len(changes) > 0 {
			return &exitCode{ExitFound}
		}
		return nil
	})
}

type verifyOptions struct {
	Strict bool
	Format string
}

func (a *app) verifyCommand() *cobra.Command {
	var opts verifyOptions
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "List live objects that source does not declare",
		Long: `List the objects that exist in the live database but are declared nowhere in
the source schema (an emergency index, a hand-made table), grouped by kind.
Objects missing from live are not reported: the next migration creates them.

Live objects of kinds pg-flux does not model (conversions, text-search
dictionaries, typed tables, …) are listed too: pg-flux can neither compare nor create them.

With --strict the exit code is 1 when there is any undeclared or unmodelled
object, for CI. Capture undeclared objects into source with pg-flux pull.`,
		Example: `  pg-flux verify
  pg-flux verify --strict --db "$DATABASE_URL"`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runVerify(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "exit 1 when live has undeclared objects")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return cmd
}

func (a *app) runVerify(ctx context.Context, s *settings, opts verifyOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return usageErrorf("invalid --format %q (use text or json)", opts.Format)
	}
	return a.withPipeline(ctx, s, stageModels, func(_ *target, p *pipeline) error {
		undeclared := report.Undeclared(diff.Compare(p.Live, p.Desired))
		var err error
		if opts.Format == "json" {
			err = report.VerifyJSON(a.io.Out, undeclared, p.Live.Unmodelled)
		} else {
			err = report.VerifyText(a.io.Out, undeclared, p.Live.Unmodelled, s.SchemaDir)
		}
		if err != nil {
			return err
		}
		if opts.Strict && (len(undeclared) > 0 || len(p.Live.Unmodelled) > 0) {
			return &exitCode{ExitFound}
		}
		return nil
	})
}
