package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

type initOptions struct {
	ConfigPath    string
	SchemaDir     string
	MigrationsDir string
}

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Scaffold .pg-flux.yml, schema/ with an example, and migrations/",
		Long: `Create a new pg-flux project in the current directory: a commented
.pg-flux.yml, a schema/ directory with an example table, and an empty
migrations/ directory. Existing files are never overwritten: if any of
them exists, init writes nothing and says which.`,
		Example: `  pg-flux init
  pg-flux init --schema db/schema --migrations-dir db/migrations`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			opts := initOptions{ConfigPath: a.global.configPath, SchemaDir: a.global.schemaDir, MigrationsDir: a.global.migrationsDir}
			// The directories may come from the environment too; the
			// config file is what init writes, so it is not read.
			if v := a.getenv("PGFLUX_SCHEMA_DIR"); v != "" && !cmd.Flags().Changed("schema") {
				opts.SchemaDir = v
			}
			if v := a.getenv("PGFLUX_MIGRATIONS_DIR"); v != "" && !cmd.Flags().Changed("migrations-dir") {
				opts.MigrationsDir = v
			}
			return a.runInit(opts)
		}),
	}
}

const exampleTable = `-- An example table: edit it, or replace it with your own schema.
-- Every *.sql file under this directory is part of the desired state, in any
-- file order; write plain PostgreSQL DDL, as you would to create it afresh.
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
`

// configTemplate is the scaffolded .pg-flux.yml; %s are the schema and
// migrations directories relative to the config file.
const configTemplate = `# pg-flux project settings.
# Every setting can also be given as a flag or an environment variable;
# precedence: flag > environment > this file > default.

# Target database (env DATABASE_URL, flag --db). Leave unset to use the
# embedded dev database, kept in .pg-flux/dev/ and started for each command.
# db: postgres://app@localhost:5432/app

# Desired schema: every *.sql file under this directory (env PGFLUX_SCHEMA_DIR).
schema_dir: %s

# Migration files (env PGFLUX_MIGRATIONS_DIR).
migrations_dir: %s

# PostgreSQL schemas pg-flux manages (env PGFLUX_TARGET_SCHEMAS, comma list).
target_schemas: [public]

# Schema of the migration ledger (env PGFLUX_TRACKING_SCHEMA).
# tracking_schema: _pgflux

# Refuse a migration that drops more than this percentage of live tables,
# views and sequences (env PGFLUX_MASS_DROP_THRESHOLD).
# mass_drop_threshold: 25

# Hazard kinds allowed without --allow-hazards (env PGFLUX_ALLOW_HAZARDS).
# Prefer allowing hazards per command, where a reviewer sees it.
# allow_hazards: [VALIDATE_CONSTRAINT_SCAN]

# How long each migration step waits for a lock before retrying
# (env PGFLUX_LOCK_TIMEOUT).
# lock_timeout: 5s

# How many times a step whose lock was not granted is retried, with
# exponential backoff and jitter (env PGFLUX_LOCK_RETRIES; 0: no retry).
# lock_retries: 5

# Bound on each migration step's run time (env PGFLUX_STATEMENT_TIMEOUT).
# Unset: none.
# statement_timeout: 30m

# A server where pg-flux may create and drop scratch databases (env
# PGFLUX_SHADOW_DSN). Unset: a throwaway cluster from local PostgreSQL binaries.
# shadow_dsn: postgres://postgres@localhost:5432/postgres

# Compare and set object owners (env PGFLUX_MANAGE_OWNERS, flag
# --manage-owners). Off: owners are ignored, so environments whose objects
# have different owners hash the same.
# manage_owners: false
`

func (a *app) runInit(opts initOptions) error {
	configDir := filepath.Dir(opts.ConfigPath)
	relToConfig := func(dir string) string {
		if r, err := filepath.Rel(configDir, dir); err == nil && !filepath.IsAbs(dir) {
			return filepath.ToSlash(r)
		}
		return dir
	}
	files := []struct {
		path    string
		content string
	}{
		{opts.ConfigPath, fmt.Sprintf(configTemplate, yamlString(relToConfig(opts.SchemaDir)), yamlString(relToConfig(opts.MigrationsDir)))},
		{filepath.Join(opts.SchemaDir, "tables", "users.sql"), exampleTable},
		{filepath.Join(opts.MigrationsDir, ".gitkeep"), ""},
	}
	var existing []string
	for _, f := range files {
		if _, err := os.Stat(f.path); err == nil {
			existing = append(existing, f.path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot check %s: %w", f.path, err)
		}
	}
	if len(existing) > 0 {
		return &userError{
			msg:  fmt.Sprintf("init would overwrite %s; nothing was written", strings.Join(existing, ", ")),
			hint: "Remove or move them first, or run pg-flux init in a new directory.",
		}
	}
	var created []string
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(f.path), err)
		}
		// O_EXCL: never clobber a file that appeared since the check.
		out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("cannot create %s: %w", f.path, err)
		}
		_, werr := out.WriteString(f.content)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("cannot write %s: %w", f.path, werr)
		}
		created = append(created, filepath.Clean(f.path))
	}
	a.io.Printf("Created:\n")
	for _, c := range created {
		a.io.Printf("  %s\n", c)
	}
	a.io.Printf(`
Next:
  pg-flux plan                             # see what the example schema would create
  pg-flux migrate generate --label initial # write the first migration
  pg-flux migrate apply                    # apply it
`)
	return nil
}

// yamlString quotes a path for YAML when a plain scalar would not do.
func yamlString(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") && strings.TrimSpace(s) == s {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
