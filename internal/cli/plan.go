package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/source"
)

type planOptions struct {
	Format        string
	IgnorePending bool
	safetyFlags
}

func (a *app) planCommand() *cobra.Command {
	var opts planOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the statements that would bring live in step with source",
		Long: `Compare the source schema with the live database and print the plan: the
hazards it carries, then the statements in the order they would run. The plan
is proven first on a scratch copy of live. plan writes nothing.

Steps that would hold a long lock on an existing table are rewritten into
lock-friendly ones, each marked "[rewrite: <name>]": constraints added NOT
VALID and validated separately (--auto-not-valid), indexes created and dropped
CONCURRENTLY, changed indexes swapped in under a temporary name, and SET NOT
NULL on large tables staged through a CHECK (--set-not-null-reltuple-hint).
A plan that drops more than --mass-drop-threshold percent of the live tables,
views and sequences is refused unless --allow-mass-drop.

Formats: text (for people), sql (only the statements, ready for psql), json
({"statements":[…],"hazards":[…],"baseline":…,"result":…}).`,
		Example: `  pg-flux plan
  pg-flux plan --format sql > change.sql
  pg-flux plan --format json --db "$DATABASE_URL"`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			opts.safetyFlags.apply(s)
			s.OnPending = !opts.IgnorePending
			return a.runPlan(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, sql or json")
	addIgnorePendingFlag(cmd, &opts.IgnorePending)
	addRewriteFlags(cmd, &opts.safetyFlags)
	addMassDropFlags(cmd, &opts.AllowMassDrop)
	return cmd
}

func (a *app) runPlan(ctx context.Context, s *settings, opts planOptions) error {
	render, err := planRenderer(opts.Format)
	if err != nil {
		return err
	}
	return a.withPipeline(ctx, s, stagePlan, func(_ *target, p *pipeline) error {
		return render(a.io.Out, reportPlan(p))
	})
}

func planRenderer(format string) (func(io.Writer, report.Plan) error, error) {
	switch format {
	case "text":
		return report.PlanText, nil
	case "sql":
		return report.PlanSQL, nil
	case "json":
		return report.PlanJSON, nil
	}
	return nil, usageErrorf("invalid --format %q (use text, sql or json)", format)
}

func reportPlan(p *pipeline) report.Plan {
	return report.Plan{Steps: p.Plan.Steps, Findings: p.Findings, Baseline: p.baseline(), Result: p.Result.Hash}
}

type applyOptions struct {
	DryRun       bool
	AllowHazards string
	safetyFlags
}

func (a *app) applyCommand() *cobra.Command {
	var opts applyOptions
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Run the plan against the live database directly (no migration file)",
		Long: `Plan as pg-flux plan does, then run the statements against the live database
at once: no migration file is written and no ledger entry is recorded. Meant
for scratch and development databases; use migrate generate and migrate
apply for anything you deploy.

Blocking hazards refuse the apply before any statement runs, unless allowed
with --allow-hazards (or allow_hazards in the config file). The rewrites and
the mass-drop guard are those of pg-flux plan.`,
		Example: `  pg-flux apply
  pg-flux apply --dry-run
  pg-flux apply --allow-hazards=DATA_LOSS`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			opts.safetyFlags.apply(s)
			return a.runApply(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and run nothing")
	cmd.Flags().StringVar(&opts.AllowHazards, "allow-hazards", "", "allow these blocking hazard kinds, comma-separated (e.g. DATA_LOSS)")
	addRewriteFlags(cmd, &opts.safetyFlags)
	addMassDropFlags(cmd, &opts.AllowMassDrop)
	addLockFlags(cmd.Flags())
	return cmd
}

func (a *app) runApply(ctx context.Context, s *settings, opts applyOptions) error {
	allowed, err := allowedHazards(s, opts.AllowHazards, opts.AllowMassDrop)
	if err != nil {
		return err
	}
	return a.withPipeline(ctx, s, stagePlan, func(t *target, p *pipeline) error {
		steps := p.Plan.Steps
		if len(steps) == 0 {
			a.io.Printf("%s\n", report.NoChanges)
			return nil
		}
		if blocked := blockedFindings(p.Findings, allowed); len(blocked) > 0 {
			return hazardRefusal("refusing to apply", "pg-flux apply", blocked)
		}
		if opts.DryRun {
			if err := report.PlanText(a.io.Out, reportPlan(p)); err != nil {
				return err
			}
			a.io.Printf("\nDry run: nothing was executed.\n")
			return nil
		}
		a.logAllowed(p.Findings, stepStatements("plan", steps), allowed)
		began := time.Now()
		if err := a.executeSteps(ctx, t, s, steps); err != nil {
			return err
		}
		ms := since(began)
		a.log.Info("plan applied", logStatement, len(steps), logDurationMS, ms)
		a.io.Printf("Applied %s to %s (%d ms).\n", report.CountNoun(len(steps), "statement"), t.Desc, ms)
		return nil
	})
}

// allowedHazards merges the configured allowances with the flag's.
func allowedHazards(s *settings, flag string, massDrop bool) (map[hazard.Kind]bool, error) {
	kinds, err := hazard.ParseKinds(flag)
	if err != nil {
		return nil, usageErrorf("--allow-hazards: %v", err)
	}
	allowed := map[hazard.Kind]bool{}
	for _, k := range append(append([]hazard.Kind(nil), s.AllowedHazards...), kinds...) {
		allowed[k] = true
	}
	if massDrop {
		allowed[hazard.MassDrop] = true
	}
	return allowed, nil
}

// blockedFindings are the blocking findings that are not allowed.
func blockedFindings(findings []hazard.Finding, allowed map[hazard.Kind]bool) []hazard.Finding {
	var out []hazard.Finding
	for _, f := range findings {
		if f.Kind.Blocking() && !allowed[f.Kind] {
			out = append(out, f)
		}
	}
	return out
}

// hazardRefusal lists the blocking findings and the flags that allow them:
//
//	refusing to apply: 1 blocking hazard not allowed:
//	  [HAZARD DATA_LOSS] Drops column public.users.legacy_phone
//	To allow: pg-flux apply --allow-hazards=DATA_LOSS
func hazardRefusal(what, command string, blocked []hazard.Finding) error {
	var b strings.Builder
	noun := "blocking hazard"
	if len(blocked) > 1 {
		noun += "s"
	}
	fmt.Fprintf(&b, "%s: %d %s not allowed:\n", what, len(blocked), noun)
	var kinds []hazard.Kind
	massDrop := false
	seen := map[hazard.Kind]bool{}
	for _, f := range blocked {
		fmt.Fprintf(&b, "  %s\n", f.String())
		if seen[f.Kind] {
			continue
		}
		seen[f.Kind] = true
		if f.Kind == hazard.MassDrop {
			massDrop = true
		} else {
			kinds = append(kinds, f.Kind)
		}
	}
	b.WriteString("To allow: " + command)
	if len(kinds) > 0 {
		b.WriteString(" --allow-hazards=" + hazard.JoinKinds(kinds))
	}
	if massDrop {
		b.WriteString(" --allow-mass-drop")
	}
	return &refusal{msg: b.String()}
}

// logAllowed records every blocking hazard that runs because it was
// allowed, so allowances can be audited from the logs (migrate apply does
// the same for migration files).
func (a *app) logAllowed(findings []hazard.Finding, stmts []source.Statement, allowed map[hazard.Kind]bool) {
	for _, f := range findings {
		if !f.Kind.Blocking() || !allowed[f.Kind] {
			continue
		}
		st := stmts[f.Statement]
		a.log.Info("hazard_allowed", logHazard, string(f.Kind), logAllowed, true,
			logStatement, fmt.Sprintf("%s:%d", st.File, st.Line), logDetail, f.Message)
	}
}
