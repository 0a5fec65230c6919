// Package cli is pg-flux's command-line layer: the cobra command tree, flag
// and config precedence, output, and exit codes. Commands are thin: each
// parses its flags into an options struct and calls a function that does the
// work, writing to the IOStreams it was given, so everything runs in-process
// in tests through Run.
package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Version is the version pg-flux reports; release builds set it with
// -ldflags "-X github.com/pg-flux/pg-flux/internal/cli.Version=v1.2.3".
var Version = "dev"

// Exit codes, as diff(1): 0 clean or done, 1 found or refused, 2 error.
const (
	ExitOK    = 0
	ExitFound = 1
	ExitError = 2
)

// Run runs pg-flux with the given arguments (without the program name) and
// returns the exit code. The command tree is built afresh on every call, so
// calls share no state.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{
		io:     &IOStreams{In: stdin, Out: stdout, ErrOut: stderr},
		getenv: os.Getenv,
		now:    time.Now,
		log:    slog.New(slog.DiscardHandler),
	}
	root := a.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	return a.reportError(ctx, cmd, err)
}

// app is one invocation of pg-flux: its streams, global flags and logger.
type app struct {
	io     *IOStreams
	getenv func(string) string
	now    func() time.Time
	global globalFlags
	log    *slog.Logger
	start  time.Time
}

// globalFlags are the flags every command accepts.
type globalFlags struct {
	db             string
	schemaDir      string
	migrationsDir  string
	schemas        string
	trackingSchema string
	configPath     string
	shadowDSN      string
	logFormat      string
	verbose        bool
	manageOwners   bool
	noCache        bool
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "pg-flux",
		Short: "Declarative PostgreSQL schema migrations",
		Long: `pg-flux keeps a PostgreSQL database in step with a schema kept in git as plain SQL.

You write the desired state in schema/**/*.sql. pg-flux loads it into a
throwaway shadow database, compares it with the live database, writes
reviewable migration files, applies them with hazard guards, and reports
every way the live database drifts from source.

With no --db, no DATABASE_URL and no db: in .pg-flux.yml, pg-flux uses an
embedded dev database kept in .pg-flux/dev/ and started for each command.

Settings come from flags, else the environment, else .pg-flux.yml, else
defaults:
` + envHelp() + `
Exit codes: 0 clean or done; 1 something was found or refused (nothing
was executed); 2 an error.`,
		Example: `  pg-flux init
  pg-flux plan
  pg-flux migrate generate --label add_orders
  pg-flux migrate apply
  pg-flux drift --strict --db "$DATABASE_URL"`,
		Version:           Version,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: a.setup,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetVersionTemplate("pg-flux {{.Version}}\n")
	root.SetIn(a.io.In)
	root.SetOut(a.io.Out)
	root.SetErr(a.io.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })

	f := root.PersistentFlags()
	f.StringVar(&a.global.db, "db", "", "target database URL (else $DATABASE_URL, else db: in the config, else the embedded dev database)")
	f.StringVar(&a.global.schemaDir, "schema", "./schema", "directory of the desired schema, *.sql files")
	f.StringVar(&a.global.migrationsDir, "migrations-dir", "./migrations", "directory of migration files")
	f.StringVar(&a.global.schemas, "schemas", "public", "PostgreSQL schemas to manage, comma-separated")
	f.StringVar(&a.global.trackingSchema, "tracking-schema", "_pgflux", "schema that holds the migration ledger")
	f.StringVar(&a.global.configPath, "config", ".pg-flux.yml", "config file")
	f.StringVar(&a.global.shadowDSN, "shadow-dsn", "", "server where pg-flux may create scratch databases (else $PGFLUX_SHADOW_DSN, else the shared shadow server: pg-flux shadow status)")
	f.StringVar(&a.global.logFormat, "log-format", "text", "log format on stderr: text or json")
	f.BoolVarP(&a.global.verbose, "verbose", "v", false, "say more about what pg-flux does")
	f.BoolVar(&a.global.noCache, "no-cache", false, "parse the source and load it into the shadow even when the cached parse and desired model are current")
	f.BoolVar(&a.global.manageOwners, "manage-owners", false, "compare and set object owners (else $PGFLUX_MANAGE_OWNERS, else manage_owners: in the config, else off)")

	root.AddCommand(
		a.versionCommand(),
		a.initCommand(),
		a.planCommand(),
		a.applyCommand(),
		a.migrateCommand(),
		a.driftCommand(),
		a.verifyCommand(),
		a.pullCommand(),
		a.lintCommand(),
		a.dumpCommand(),
		a.inspectCommand(),
		a.genCommand(),
		a.shadowCommand(),
	)
	return root
}

// setup runs before every command: it validates the global flags and sets
// up the logger.
func (a *app) setup(cmd *cobra.Command, _ []string) error {
	a.start = a.now()
	logger, err := newLogger(a.io.ErrOut, a.global.logFormat, a.global.verbose)
	if err != nil {
		return err
	}
	a.log = logger.With("command", commandName(cmd))
	return nil
}

// commandName is the command path without the program: "migrate apply".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), "pg-flux ")
}

// runE adapts a command's work function to cobra, marking its errors as
// coming from the work rather than from argument parsing (see reportError).
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			return &runError{err: err}
		}
		return nil
	}
}

// envHelp documents the environment variables in the root help.
func envHelp() string {
	var b strings.Builder
	for _, k := range configKeys() {
		b.WriteString("  ")
		b.WriteString(padRight(k.Env, 28))
		b.WriteString(k.Name)
		b.WriteString(" in .pg-flux.yml: ")
		b.WriteString(k.Doc)
		b.WriteString("\n")
	}
	return b.String()
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}
