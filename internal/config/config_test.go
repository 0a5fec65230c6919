package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestResolvePrecedence(t *testing.T) {
	flags := Layer{SchemaDir: ptr("flag-schema")}
	env := Layer{SchemaDir: ptr("env-schema"), DB: ptr("postgres://env"), MigrationsDir: ptr("env-mig")}
	file := Layer{SchemaDir: ptr("file-schema"), DB: ptr("postgres://file"), MigrationsDir: ptr("file-mig"),
		TrackingSchema: ptr("file_tracking"), TargetSchemas: []string{"app", "audit"}}
	got := Resolve(flags, env, file)
	want := Settings{
		DB:                "postgres://env",
		SchemaDir:         "flag-schema",
		MigrationsDir:     "env-mig",
		TargetSchemas:     []string{"app", "audit"},
		TrackingSchema:    "file_tracking",
		MassDropThreshold: 25,
		LockTimeout:       5 * time.Second,
		LockRetries:       5,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve:\n got %+v\nwant %+v", got, want)
	}
	if d := Resolve(); !reflect.DeepEqual(d, Defaults()) {
		t.Errorf("Resolve() = %+v, want the defaults", d)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":               "postgres://u:p@h/db",
		"PGFLUX_SCHEMA_DIR":          "db/schema",
		"PGFLUX_TARGET_SCHEMAS":      "public, app",
		"PGFLUX_MASS_DROP_THRESHOLD": "50",
		"PGFLUX_ALLOW_HAZARDS":       "data_loss",
		"PGFLUX_LOCK_TIMEOUT":        "750ms",
		"PGFLUX_SHADOW_DSN":          "postgres://shadow",
		"PGFLUX_TRACKING_SCHEMA":     "",
	}
	l, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := Resolve(l)
	if s.DB != "postgres://u:p@h/db" || s.SchemaDir != "db/schema" || s.MassDropThreshold != 50 ||
		s.LockTimeout != 750*time.Millisecond || s.ShadowDSN != "postgres://shadow" || s.TrackingSchema != "_pgflux" {
		t.Errorf("unexpected settings %+v", s)
	}
	if !reflect.DeepEqual(s.TargetSchemas, []string{"public", "app"}) || !reflect.DeepEqual(s.AllowHazards, []string{"DATA_LOSS"}) {
		t.Errorf("lists: %q %q", s.TargetSchemas, s.AllowHazards)
	}

	_, err = FromEnv(func(k string) string {
		if k == "PGFLUX_LOCK_TIMEOUT" {
			return "5"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "PGFLUX_LOCK_TIMEOUT") || !strings.Contains(err.Error(), `"5s"`) {
		t.Errorf("bad duration in env: err = %v", err)
	}
}

func TestParseFile(t *testing.T) {
	src := `# pg-flux settings
db: postgres://app@localhost/app
schema_dir: db/schema
target_schemas: [public, app]
allow_hazards:
  - VALIDATE_CONSTRAINT_SCAN
mass_drop_threshold: 40
lock_timeout: 3s
shadow_dsn:
`
	f, err := Parse(".pg-flux.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
	s := Resolve(f.Layer)
	if s.DB != "postgres://app@localhost/app" || s.SchemaDir != "db/schema" || s.MassDropThreshold != 40 ||
		s.LockTimeout != 3*time.Second || s.ShadowDSN != "" {
		t.Errorf("settings %+v", s)
	}
	if !reflect.DeepEqual(s.TargetSchemas, []string{"public", "app"}) || !reflect.DeepEqual(s.AllowHazards, []string{"VALIDATE_CONSTRAINT_SCAN"}) {
		t.Errorf("lists: %q %q", s.TargetSchemas, s.AllowHazards)
	}
}

func TestUnknownKeyWarning(t *testing.T) {
	src := "db: postgres://localhost/app\n\nschema_dirs: db\nmigrations-dir: m\nfrobnicate: 1\n"
	f, err := Parse(".pg-flux.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range f.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		`.pg-flux.yml:3: unknown key "schema_dirs" (did you mean "schema_dir"?)`,
		`.pg-flux.yml:4: unknown key "migrations-dir" (did you mean "migrations_dir"?)`,
		`.pg-flux.yml:5: unknown key "frobnicate"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if f.Layer.SchemaDir != nil {
		t.Errorf("an unknown key must not set anything")
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"schema_dir: [a\n", `.pg-flux.yml:1: invalid YAML`},
		{"db: x\nlock_timeout: 5\n", `.pg-flux.yml:2: lock_timeout: invalid duration "5" (use a value like "5s" or "500ms")`},
		{"mass_drop_threshold: lots\n", `.pg-flux.yml:1: mass_drop_threshold: invalid percentage "lots"`},
		{"mass_drop_threshold: 150\n", `.pg-flux.yml:1: mass_drop_threshold: percentage 150 out of range`},
		{"\n\nschema_dir: [a, b]\n", `.pg-flux.yml:3: schema_dir: expected a single value, got a list`},
		{"db: a\ndb: b\n", `.pg-flux.yml:2: key "db" appears twice (first on line 1)`},
		{"- a\n- b\n", `.pg-flux.yml:1: expected key: value pairs`},
		{"target_schemas:\n  x: 1\n", `.pg-flux.yml:2: target_schemas: expected a value, got a nested mapping`},
	}
	for _, c := range cases {
		_, err := Parse(".pg-flux.yml", []byte(c.src))
		var ce *Error
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Parse(%q): err = %v, want prefix %q", c.src, err, c.want)
		}
	}
}

func TestEmptyFile(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n"} {
		f, err := Parse("x.yml", []byte(src))
		if err != nil || len(f.Warnings) != 0 {
			t.Errorf("Parse(%q) = %v, %v", src, f, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if f, err := Load(filepath.Join(dir, DefaultFile), false); err != nil || f.Path != "" {
		t.Errorf("missing default file: %v, %v", f, err)
	}
	missing := filepath.Join(dir, "nope.yml")
	if _, err := Load(missing, true); err == nil || err.Error() != missing+": config file not found" {
		t.Errorf("missing named file: err = %v", err)
	}
	if _, err := Load(dir, true); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory as config: err = %v", err)
	}

	// Directories in a config file elsewhere are relative to that file.
	sub := filepath.Join(dir, "proj")
	os.Mkdir(sub, 0o755)
	path := filepath.Join(sub, "pg-flux.yml")
	os.WriteFile(path, []byte("schema_dir: db/schema\nmigrations_dir: /abs/migrations\n"), 0o644)
	f, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	s := Resolve(f.Layer)
	if s.SchemaDir != filepath.Join(sub, "db/schema") || s.MigrationsDir != "/abs/migrations" {
		t.Errorf("dirs: %q %q", s.SchemaDir, s.MigrationsDir)
	}
}

func TestSuggest(t *testing.T) {
	cases := map[string]string{
		"schema_dirs":     "schema_dir",
		"schema":          "schema_dir",
		"trackingschema":  "tracking_schema",
		"LOCK_TIMEOUT":    "lock_timeout",
		"allowed_hazards": "allow_hazards",
		"colour":          "",
	}
	for in, want := range cases {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
