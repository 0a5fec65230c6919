package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/migration"
)

func (a *app) repairCommand() *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Re-record the checksums of applied files after a comment-only edit",
		Long: `After an applied migration file was edited in comments or whitespace only,
re-record its checksum in the ledger so that migrate apply and migrate status
accept it again. Statements are compared as PostgreSQL parse trees with the
ones recorded when the file was applied, not as text: when a statement
changed, repair refuses, naming the first changed statement, and writes
nothing (restore the file and put the change in a new migration). repair also
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
