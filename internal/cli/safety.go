package cli

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// safetyFlags are the flags of the commands that plan (plan, apply, migrate
// generate): the auto-rewrites and the mass-drop guard.
type safetyFlags struct {
	AutoNotValid  bool
	NotNullHint   float64
	AllowMassDrop bool
}

// addRewriteFlags registers --auto-not-valid and --set-not-null-reltuple-hint.
func addRewriteFlags(cmd *cobra.Command, f *safetyFlags) {
	def := plan.DefaultOptions()
	cmd.Flags().BoolVar(&f.AutoNotValid, "auto-not-valid", def.AutoNotValid,
		"add CHECK and FOREIGN KEY constraints to existing tables NOT VALID, then VALIDATE them separately")
	cmd.Flags().Float64Var(&f.NotNullHint, "set-not-null-reltuple-hint", def.SetNotNullRelTuplesHint,
		"stage SET NOT NULL through a validated CHECK on tables with more estimated rows than this (0 disables)")
}

// addMassDropFlags registers --allow-mass-drop and --mass-drop-threshold
// (read by flagLayer into settings.MassDropThreshold).
func addMassDropFlags(cmd *cobra.Command, allow *bool) {
	cmd.Flags().BoolVar(allow, "allow-mass-drop", false, "allow dropping more live objects than the mass-drop threshold")
	cmd.Flags().Int("mass-drop-threshold", hazard.DefaultMassDropThreshold,
		"percentage of live tables, views and sequences one migration may drop (else mass_drop_threshold in the config)")
}

// apply copies the flags into the settings the pipeline plans with.
func (f *safetyFlags) apply(s *settings) {
	s.Plan = plan.Options{AutoNotValid: f.AutoNotValid, SetNotNullRelTuplesHint: f.NotNullHint}
	s.AllowMassDrop = f.AllowMassDrop
}

// checkMassDrop refuses statements that drop too much of live, unless
// allowed. verb completes "refusing to …".
func checkMassDrop(stmts []source.Statement, p *pipeline, s *settings, verb string) error {
	if s.AllowMassDrop {
		return nil
	}
	n, err := hazard.CountDrops(stmts, p.Live)
	if err != nil {
		return err
	}
	if !n.Exceeds(s.MassDropThreshold) {
		return nil
	}
	return &refusal{msg: n.Message(verb, s.MassDropThreshold) + "\n" +
		"Check that --schema points at the right directory; to drop them anyway pass " + n.AllowHint() + "."}
}

// checkNotNullWithoutDefault refuses, at plan time, a plan that adds a NOT
// NULL column without a default to a table with rows: PostgreSQL would
// reject it at apply time anyway, after the file was reviewed and merged.
func checkNotNullWithoutDefault(findings []hazard.Finding, s *settings) error {
	var lines []string
	for _, f := range findings {
		if f.Kind == hazard.NotNullWithoutDefault && !contains(s.AllowedHazards, f.Kind) {
			lines = append(lines, "  "+f.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return &refusal{msg: "refusing to plan: the change cannot run on a table that has rows:\n" + strings.Join(lines, "\n") + "\n" +
		"Declare the column without NOT NULL (or with a DEFAULT), apply, backfill it, then declare it NOT NULL."}
}

func contains(kinds []hazard.Kind, k hazard.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// classify finds the hazards of steps, reading the volatility of the
// functions their column defaults call from live.
func classify(ctx context.Context, conn *pgx.Conn, stmts []source.Statement, p *pipeline) ([]hazard.Finding, error) {
	vol, err := hazard.LookupVolatility(ctx, conn, stmts)
	if err != nil {
		return nil, err
	}
	return hazard.ClassifyWith(stmts, p.Live, hazard.Options{Volatility: vol})
}

// massDropOption is the threshold as migration.ApplyOptions takes it.
func massDropOption(threshold int) int {
	if threshold == 0 {
		return -1
	}
	return threshold
}
