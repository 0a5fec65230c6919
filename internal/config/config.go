// Package config resolves pg-flux's settings from four layers, in order of
// precedence: command-line flags, environment variables, the project's
// .pg-flux.yml, and built-in defaults.
//
// The file is read with line numbers kept, so a bad value is reported as
// file:line, and an unknown key is a warning with a did-you-mean rather than
// an error (a typo should not stop a deploy, but it should be seen).
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultFile is the config file looked for when --config is not given.
const DefaultFile = ".pg-flux.yml"

// Settings is the resolved value of every setting.
type Settings struct {
	// DB is the target database's connection string; empty means the
	// embedded dev database.
	DB string
	// SchemaDir holds the desired schema, schema/**/*.sql.
	SchemaDir string
	// MigrationsDir holds the migration files.
	MigrationsDir string
	// TargetSchemas are the PostgreSQL schemas pg-flux manages.
	TargetSchemas []string
	// TrackingSchema holds the migration ledger.
	TrackingSchema string
	// MassDropThreshold is the percentage of live objects one migration may
	// drop before the mass-drop guard refuses.
	MassDropThreshold int
	// AllowHazards are hazard kinds allowed without a flag.
	AllowHazards []string
	// LockTimeout bounds how long each migration step waits for a lock.
	LockTimeout time.Duration
	// LockRetries is how many times a step whose lock was not granted is
	// retried (with backoff) before apply gives up.
	LockRetries int
	// StatementTimeout, when not zero, bounds each migration step.
	StatementTimeout time.Duration
	// ShadowDSN is a server where pg-flux may create and drop scratch
	// databases; empty means an embedded throwaway cluster.
	ShadowDSN string
	// ManageOwners reads, compares and sets object owners; off by default,
	// so that environments with different owners hash the same.
	ManageOwners bool
}

// Defaults returns the built-in defaults.
func Defaults() Settings {
	return Settings{
		SchemaDir:         "./schema",
		MigrationsDir:     "./migrations",
		TargetSchemas:     []string{"public"},
		TrackingSchema:    "_pgflux",
		MassDropThreshold: 25,
		LockTimeout:       5 * time.Second,
		LockRetries:       5,
	}
}

// Layer is one source of settings; a nil field is not set by that source.
type Layer struct {
	DB                *string
	SchemaDir         *string
	MigrationsDir     *string
	TargetSchemas     []string // nil: not set
	TrackingSchema    *string
	MassDropThreshold *int
	AllowHazards      []string // nil: not set
	LockTimeout       *time.Duration
	LockRetries       *int
	StatementTimeout  *time.Duration
	ShadowDSN         *string
	ManageOwners      *bool
}

// Resolve returns the defaults overridden by the layers, the first layer
// that sets a value winning: Resolve(flags, env, file).
func Resolve(layers ...Layer) Settings {
	s := Defaults()
	// Apply from lowest to highest precedence so that the first layer wins.
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		setString(&s.DB, l.DB)
		setString(&s.SchemaDir, l.SchemaDir)
		setString(&s.MigrationsDir, l.MigrationsDir)
		setString(&s.TrackingSchema, l.TrackingSchema)
		setString(&s.ShadowDSN, l.ShadowDSN)
		if l.TargetSchemas != nil {
			s.TargetSchemas = append([]string(nil), l.TargetSchemas...)
		}
		if l.AllowHazards != nil {
			s.AllowHazards = append([]string(nil), l.AllowHazards...)
		}
		if l.MassDropThreshold != nil {
			s.MassDropThreshold = *l.MassDropThreshold
		}
		if l.LockTimeout != nil {
			s.LockTimeout = *l.LockTimeout
		}
		if l.LockRetries != nil {
			s.LockRetries = *l.LockRetries
		}
		if l.StatementTimeout != nil {
			s.StatementTimeout = *l.StatementTimeout
		}
		if l.ManageOwners != nil {
			s.ManageOwners = *l.ManageOwners
		}
	}
	return s
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// key describes one setting: its name in the file, its environment variable
// and how to store a value into a Layer.
type key struct {
	name string
	env  string
	doc  string
	set  func(l *Layer, v string) error
}

// Keys are the settings in documentation order.
var keys = []key{
	{"db", "DATABASE_URL", "target database URL (else the embedded dev database)", func(l *Layer, v string) error { l.DB = &v; return nil }},
	{"schema_dir", "PGFLUX_SCHEMA_DIR", "directory of the desired schema (schema/**/*.sql)", func(l *Layer, v string) error { l.SchemaDir = &v; return nil }},
	{"migrations_dir", "PGFLUX_MIGRATIONS_DIR", "directory of migration files", func(l *Layer, v string) error { l.MigrationsDir = &v; return nil }},
	{"target_schemas", "PGFLUX_TARGET_SCHEMAS", "PostgreSQL schemas pg-flux manages (comma list in the environment)", func(l *Layer, v string) error {
		list, err := parseList(v)
		l.TargetSchemas = list
		return err
	}},
	{"tracking_schema", "PGFLUX_TRACKING_SCHEMA", "schema of the migration ledger", func(l *Layer, v string) error { l.TrackingSchema = &v; return nil }},
	{"mass_drop_threshold", "PGFLUX_MASS_DROP_THRESHOLD", "percentage of live objects one migration may drop", func(l *Layer, v string) error {
		n, err := parsePercent(v)
		l.MassDropThreshold = &n
		return err
	}},
	{"allow_hazards", "PGFLUX_ALLOW_HAZARDS", "hazard kinds allowed by default (comma list in the environment)", func(l *Layer, v string) error {
		list, err := parseList(v)
		for i := range list {
			list[i] = strings.ToUpper(list[i])
		}
		l.AllowHazards = list
		return err
	}},
	{"lock_timeout", "PGFLUX_LOCK_TIMEOUT", "how long each migration step waits for a lock, e.g. 5s", func(l *Layer, v string) error {
		d, err := parseDuration(v)
		l.LockTimeout = &d
		return err
	}},
	{"lock_retries", "PGFLUX_LOCK_RETRIES", "how many times a step whose lock was not granted is retried, with backoff", func(l *Layer, v string) error {
		n, err := ParseRetries(v)
		l.LockRetries = &n
		return err
	}},
	{"statement_timeout", "PGFLUX_STATEMENT_TIMEOUT", "bound on each migration step's run time, e.g. 30m (unset: none)", func(l *Layer, v string) error {
		d, err := parseDuration(v)
		l.StatementTimeout = &d
		return err
	}},
	{"shadow_dsn", "PGFLUX_SHADOW_DSN", "server for scratch databases (else an embedded throwaway cluster)", func(l *Layer, v string) error { l.ShadowDSN = &v; return nil }},
	{"manage_owners", "PGFLUX_MANAGE_OWNERS", "compare and set object owners (true or false; off by default)", func(l *Layer, v string) error {
		b, err := parseBool(v)
		l.ManageOwners = &b
		return err
	}},
}

// Key documents one setting.
type Key struct {
	Name string // in .pg-flux.yml
	Env  string // environment variable
	Doc  string
}

// Keys lists every setting, for help and documentation.
func Keys() []Key {
	out := make([]Key, len(keys))
	for i, k := range keys {
		out[i] = Key{Name: k.name, Env: k.env, Doc: k.doc}
	}
	return out
}

func lookupKey(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// FromEnv reads the environment layer through getenv (os.Getenv in the
// product, a map in tests). An empty variable counts as unset.
func FromEnv(getenv func(string) string) (Layer, error) {
	var l Layer
	for _, k := range keys {
		v := getenv(k.env)
		if v == "" {
			continue
		}
		if err := k.set(&l, v); err != nil {
			return Layer{}, fmt.Errorf("environment variable %s: %w", k.env, err)
		}
	}
	return l, nil
}

// parseList splits a comma list, trimming blanks and dropping empty items.
func parseList(v string) ([]string, error) {
	out := []string{}
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out, nil
}

func parsePercent(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if err != nil {
		return 0, fmt.Errorf("invalid percentage %q (use a whole number from 0 to 100)", v)
	}
	if n < 0 || n > 100 {
		return 0, fmt.Errorf("percentage %d out of range (use a whole number from 0 to 100)", n)
	}
	return n, nil
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q (use a value like \"5s\" or \"500ms\")", v)
	}
	return d, nil
}

// ParseList splits a comma-separated flag value the way the environment
// layer does.
func ParseList(v string) []string {
	list, _ := parseList(v)
	return list
}

// ParseDuration parses a duration the way the file and environment do.
func ParseDuration(v string) (time.Duration, error) { return parseDuration(v) }

// ParsePercent parses a mass-drop threshold the way the file and
// environment do.
func ParsePercent(v string) (int, error) { return parsePercent(v) }

// ParseRetries parses a retry count: a whole number, 0 or more.
func ParseRetries(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid retry count %q (use a whole number, 0 or more)", v)
	}
	return n, nil
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("invalid boolean %q (use true or false)", v)
	}
	return b, nil
}
