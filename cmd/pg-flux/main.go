// Command pg-flux keeps a PostgreSQL database in step with a declarative
// schema kept in git. All of its behaviour lives in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pg-flux/pg-flux/internal/cli"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context; commands then close their
	// connections and stop any cluster they started before exiting.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	limitMemory(ctx)
	returnFreedCMemory()
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
