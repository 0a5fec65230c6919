package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

func (a *app) shadowCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "shadow",
		Short: "Show or stop the shared shadow server",
		Long: `Without --shadow-dsn, pg-flux loads the source into a shadow PostgreSQL
server that it starts once and keeps running between commands: one per user
and major version, listening only on a unix socket in a private directory
(` + "`pg-flux shadow status`" + ` shows where). Its data is kept in memory
(/dev/shm) when that has 2 GiB free, else on disk. It stops by itself after
PGFLUX_SHADOW_IDLE (default 10m) without a command. On disk it keeps its
data (scratch databases are dropped; templates of recently seen live
schemas, and the last plans' proven copies, are kept) so that the next
start is quick; in memory the data goes too. PGFLUX_SHADOW_IDLE=0 starts
and removes a throwaway server in every command instead.

stop stops it now and removes its directory. Desired models and parsed
sources are cached separately (status shows where; --no-cache bypasses the
cache, deleting it is always safe).`,
		Example: `  pg-flux shadow status
  pg-flux shadow stop`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Show the shared shadow servers and the desired-model cache",
		Args:  cobra.NoArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			root, err := pgserver.SharedRoot()
			if err != nil {
				return err
			}
			servers, err := pgserver.SharedServers("")
			if err != nil {
				return err
			}
			if len(servers) == 0 {
				a.io.Printf("no shared shadow server in %s\n", root)
			}
			for _, sv := range servers {
				state := "stopped"
				if sv.PID != 0 {
					state = fmt.Sprintf("running (pid %d)", sv.PID)
				}
				where := "on disk, data kept when idle"
				if sv.InMemory {
					where = "in memory, data removed when idle"
				}
				a.io.Printf("PostgreSQL %d: %s, %s, %.1f MiB in %s\n", sv.Major, state, where, float64(sv.Bytes)/(1<<20), sv.Dir)
			}
			if dir, err := shadow.DefaultCacheDir(); err == nil {
				a.io.Printf("desired-model cache: %s\n", dir)
			}
			return nil
		}),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "stop",
		Short: "Stop the shared shadow servers and remove their data",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			servers, err := pgserver.StopShared(cmd.Context(), "")
			for _, sv := range servers {
				a.io.Printf("stopped PostgreSQL %d shadow server, removed %s\n", sv.Major, sv.Dir)
			}
			if err == nil && len(servers) == 0 {
				a.io.Printf("no shared shadow server to stop\n")
			}
			return err
		}),
	})
	return cmd
}
