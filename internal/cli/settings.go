package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/config"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// settings are the resolved settings of one command, with where they came
// from where messages need it.
type settings struct {
	config.Settings
	// AllowedHazards is AllowHazards parsed.
	AllowedHazards []hazard.Kind
	// ConfigFile is the config file read, "" when there was none.
	ConfigFile string
	// ProjectDir is the directory of the config file, else the working
	// directory: where the embedded dev database keeps its data.
	ProjectDir string
	// DBSource says where DB came from ("--db", "DATABASE_URL",
	// ".pg-flux.yml"); "" when DB is empty (the embedded dev database).
	DBSource string
	// Plan are the planner's rewrite options (DefaultOptions unless the
	// command's flags say otherwise); AllowMassDrop is --allow-mass-drop.
	Plan          plan.Options
	AllowMassDrop bool
	// OnPending makes plan and migrate generate plan on top of the pending
	// migration files (unless --ignore-pending).
	OnPending bool
	// RebaseDrifted makes replayPending stop with a *pendingDriftedError
	// when the first pending file expects a live state that has drifted
	// since: migrate generate then rebases the pending files first, as
	// migrate apply's refusal advises.
	RebaseDrifted bool
}

func configKeys() []config.Key { return config.Keys() }

// settings resolves flag > environment > config file > default for cmd.
// Config warnings (unknown keys) are printed on stderr.
func (a *app) settings(cmd *cobra.Command) (*settings, error) {
	flags := cmd.Flags()
	path := a.global.configPath
	file, err := config.Load(path, flags.Changed("config"))
	if err != nil {
		return nil, err
	}
	for _, w := range file.Warnings {
		a.warnf("%s", w.String())
	}
	env, err := config.FromEnv(a.getenv)
	if err != nil {
		return nil, err
	}
	fl, err := a.flagLayer(cmd)
	if err != nil {
		return nil, err
	}
	s := &settings{Settings: config.Resolve(fl, env, file.Layer), ConfigFile: file.Path, Plan: plan.DefaultOptions()}

	switch {
	case fl.DB != nil:
		s.DBSource = "--db"
	case env.DB != nil:
		s.DBSource = "DATABASE_URL"
	case file.Layer.DB != nil:
		s.DBSource = file.Path
	}
	if s.DB == "" {
		s.DBSource = ""
	}

	dir := "."
	if file.Path != "" {
		dir = filepath.Dir(file.Path)
	}
	if s.ProjectDir, err = filepath.Abs(dir); err != nil {
		return nil, fmt.Errorf("cannot resolve the project directory: %w", err)
	}

	if len(s.TargetSchemas) == 0 {
		return nil, &userError{msg: "no PostgreSQL schemas to manage", hint: "Pass --schemas (e.g. --schemas public,app) or set target_schemas in the config file."}
	}
	if slices.Contains(s.TargetSchemas, s.TrackingSchema) {
		return nil, &userError{
			msg:  fmt.Sprintf("the tracking schema %q is also a managed schema", s.TrackingSchema),
			hint: "The migration ledger must live outside the managed schemas: choose another --tracking-schema.",
		}
	}
	if s.AllowedHazards, err = hazard.ParseKinds(strings.Join(s.AllowHazards, ",")); err != nil {
		origin := "allow_hazards"
		switch {
		case env.AllowHazards != nil:
			origin = "PGFLUX_ALLOW_HAZARDS"
		case file.Path != "":
			origin = file.Path + ": allow_hazards"
		}
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	return s, nil
}

// flagLayer is the settings given as flags on this command line.
func (a *app) flagLayer(cmd *cobra.Command) (config.Layer, error) {
	flags := cmd.Flags()
	var l config.Layer
	str := func(name string, v string) *string {
		if flags.Changed(name) {
			return &v
		}
		return nil
	}
	l.DB = str("db", a.global.db)
	l.SchemaDir = str("schema", a.global.schemaDir)
	l.MigrationsDir = str("migrations-dir", a.global.migrationsDir)
	l.TrackingSchema = str("tracking-schema", a.global.trackingSchema)
	l.ShadowDSN = str("shadow-dsn", a.global.shadowDSN)
	if flags.Changed("manage-owners") {
		v := a.global.manageOwners
		l.ManageOwners = &v
	}
	if flags.Changed("schemas") {
		l.TargetSchemas = config.ParseList(a.global.schemas)
	}
	if f := flags.Lookup("lock-timeout"); f != nil && f.Changed {
		d, err := config.ParseDuration(f.Value.String())
		if err != nil {
			return l, usageErrorf("--lock-timeout: %v", err)
		}
		l.LockTimeout = &d
	}
	if f := flags.Lookup("lock-retries"); f != nil && f.Changed {
		n, err := config.ParseRetries(f.Value.String())
		if err != nil {
			return l, usageErrorf("--lock-retries: %v", err)
		}
		l.LockRetries = &n
	}
	if f := flags.Lookup("statement-timeout"); f != nil && f.Changed {
		d, err := config.ParseDuration(f.Value.String())
		if err != nil {
			return l, usageErrorf("--statement-timeout: %v", err)
		}
		l.StatementTimeout = &d
	}
	if f := flags.Lookup("mass-drop-threshold"); f != nil && f.Changed {
		n, err := config.ParsePercent(f.Value.String())
		if err != nil {
			return l, usageErrorf("--mass-drop-threshold: %v", err)
		}
		l.MassDropThreshold = &n
	}
	return l, nil
}
