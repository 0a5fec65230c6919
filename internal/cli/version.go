package cli

import "github.com/spf13/cobra"

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			a.io.Printf("pg-flux %s\n", Version)
			return nil
		}),
	}
}
