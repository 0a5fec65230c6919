package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// result is what one invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout ---\n" + r.stdout + "--- stderr ---\n" + r.stderr
}

// pgflux runs the command line in process.
func pgflux(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// cleanEnv unsets every variable pg-flux reads, so the developer's own
// environment cannot leak into a test.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DATABASE_URL", "PGFLUX_SCHEMA_DIR", "PGFLUX_MIGRATIONS_DIR", "PGFLUX_TARGET_SCHEMAS",
		"PGFLUX_TRACKING_SCHEMA", "PGFLUX_MASS_DROP_THRESHOLD", "PGFLUX_ALLOW_HAZARDS", "PGFLUX_LOCK_TIMEOUT", "PGFLUX_SHADOW_DSN", "PGFLUX_LOCK_RETRIES", "PGFLUX_STATEMENT_TIMEOUT"} {
		t.Setenv(v, "")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// project makes an empty project directory and changes into it.
func project(t *testing.T) string {
	t.Helper()
	cleanEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := pgflux(t, args...)
		if r.code != 0 || r.stdout != "pg-flux dev\n" || r.stderr != "" {
			t.Errorf("pg-flux %v:\n%s", args, r)
		}
	}
}

func TestHelp(t *testing.T) {
	r := pgflux(t, "--help")
	if r.code != 0 {
		t.Fatalf("--help:\n%s", r)
	}
	for _, want := range []string{"Usage:", "pg-flux [command]", "migrate", "drift", "verify", "pull", "plan", "init",
		"--db string", "--shadow-dsn", "--log-format", "DATABASE_URL", "PGFLUX_SCHEMA_DIR", "Exit codes"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, cmd := range [][]string{{"migrate", "apply", "--help"}, {"migrate", "generate", "--help"}, {"drift", "--help"}, {"verify", "--help"}, {"pull", "--help"}, {"plan", "--help"}, {"apply", "--help"}} {
		r := pgflux(t, cmd...)
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "pg-flux "+cmd[0]) {
			t.Errorf("pg-flux %s:\n%s", strings.Join(cmd, " "), r)
		}
	}
	r = pgflux(t, "migrate", "apply", "--help")
	for _, flag := range []string{"--allow-hazards", "--force-after-drift", "--lock-timeout", "--dry-run", "--allow-mass-drop"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("migrate apply --help lacks %s", flag)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "Error: unknown command \"frobnicate\" for \"pg-flux\""},
		{[]string{"drift", "--stric"}, "Error: unknown flag: --stric\nRun 'pg-flux drift --help' for usage.\n"},
		{[]string{"migrate", "baseline"}, "Run 'pg-flux migrate baseline --help' for usage."},
		{[]string{"migrate", "frob"}, "Error: unknown command \"frob\" for \"pg-flux migrate\""},
		{[]string{"plan", "extra"}, "Run 'pg-flux plan --help' for usage."},
		{[]string{"version", "--log-format", "xml"}, "Error: invalid --log-format \"xml\" (use text or json)\nRun 'pg-flux version --help' for usage.\n"},
		{[]string{"plan", "--format", "yaml"}, "Error: invalid --format \"yaml\" (use text, sql or json)\nRun 'pg-flux plan --help' for usage.\n"},
		{[]string{"migrate", "apply", "--allow-hazards=DATA_LOS"}, "Error: --allow-hazards: unknown hazard kind \"DATA_LOS\""},
		{[]string{"migrate", "apply", "--lock-timeout", "5"}, "Error: --lock-timeout: invalid duration \"5\""},
	}
	project(t)
	for _, c := range cases {
		r := pgflux(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("pg-flux %s: want exit 2 and stderr containing %q, got\n%s", strings.Join(c.args, " "), c.want, r)
		}
		if !strings.Contains(r.stderr, "--help' for usage.") {
			t.Errorf("pg-flux %s: usage errors end with the help hint:\n%s", strings.Join(c.args, " "), r)
		}
	}
}

func TestInit(t *testing.T) {
	dir := project(t)
	r := pgflux(t, "init")
	if r.code != 0 {
		t.Fatalf("init:\n%s", r)
	}
	for _, f := range []string{".pg-flux.yml", "schema/tables/users.sql", "migrations/.gitkeep"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not create %s", f)
		}
		if !strings.Contains(r.stdout, f) {
			t.Errorf("init does not say it created %s:\n%s", f, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "pg-flux migrate generate") {
		t.Errorf("init does not show the next commands:\n%s", r.stdout)
	}
	// The scaffolded config is valid and has no unknown keys.
	cfg, _ := os.ReadFile(filepath.Join(dir, ".pg-flux.yml"))
	if !strings.Contains(string(cfg), "schema_dir: schema") || !strings.Contains(string(cfg), "# db:") {
		t.Errorf("config:\n%s", cfg)
	}
	s, err := (&app{io: &IOStreams{ErrOut: &bytes.Buffer{}}, getenv: os.Getenv}).settingsFor(t, "--config", ".pg-flux.yml")
	if err != nil || s.SchemaDir != "schema" || s.MigrationsDir != "migrations" {
		t.Errorf("settings from the scaffolded config: %+v, %v", s, err)
	}

	// A second init overwrites nothing and names what exists.
	os.WriteFile(filepath.Join(dir, "schema/tables/users.sql"), []byte("-- mine\n"), 0o644)
	r = pgflux(t, "init")
	if r.code != 2 || !strings.Contains(r.stderr, ".pg-flux.yml") || !strings.Contains(r.stderr, "schema/tables/users.sql") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("second init:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "schema/tables/users.sql")); string(b) != "-- mine\n" {
		t.Errorf("init overwrote a file")
	}
}

// settingsFor resolves the settings of `pg-flux plan args…` without running it.
func (a *app) settingsFor(t *testing.T, args ...string) (*settings, error) {
	t.Helper()
	root := a.rootCommand()
	cmd, rest, err := root.Find(append([]string{"plan"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	return a.settings(cmd)
}

func TestSettingsPrecedence(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, ".pg-flux.yml"), "db: postgres://file@h/db\nschema_dir: file-schema\nmigrations_dir: file-mig\ntracking_schema: file_tracking\nlock_timeout: 9s\n")
	env := map[string]string{"DATABASE_URL": "postgres://env@h/db", "PGFLUX_SCHEMA_DIR": "env-schema", "PGFLUX_LOCK_TIMEOUT": "7s"}
	a := &app{io: &IOStreams{ErrOut: &bytes.Buffer{}}, getenv: func(k string) string { return env[k] }}

	s, err := a.settingsFor(t, "--schema", "flag-schema")
	if err != nil {
		t.Fatal(err)
	}
	if s.DB != "postgres://env@h/db" || s.DBSource != "DATABASE_URL" {
		t.Errorf("db: env beats file: %q from %q", s.DB, s.DBSource)
	}
	if s.SchemaDir != "flag-schema" {
		t.Errorf("schema: flag beats env: %q", s.SchemaDir)
	}
	if s.MigrationsDir != "file-mig" || s.TrackingSchema != "file_tracking" {
		t.Errorf("file beats default: %q %q", s.MigrationsDir, s.TrackingSchema)
	}
	if s.LockTimeout.String() != "7s" {
		t.Errorf("lock timeout: env beats file: %v", s.LockTimeout)
	}
	if strings.Join(s.TargetSchemas, ",") != "public" {
		t.Errorf("default schemas: %q", s.TargetSchemas)
	}
	if s.ProjectDir != dir {
		t.Errorf("project dir %q, want %q", s.ProjectDir, dir)
	}

	s, err = a.settingsFor(t, "--db", "postgres://flag@h/db", "--schemas", "app, audit", "--tracking-schema", "ledger")
	if err != nil {
		t.Fatal(err)
	}
	if s.DB != "postgres://flag@h/db" || s.DBSource != "--db" || strings.Join(s.TargetSchemas, ",") != "app,audit" || s.TrackingSchema != "ledger" {
		t.Errorf("flags: %+v", s)
	}

	// The tracking schema cannot be a managed one.
	if _, err := a.settingsFor(t, "--schemas", "public,_pgflux", "--tracking-schema", "_pgflux"); err == nil {
		t.Error("tracking schema among managed schemas: want an error")
	}
}

func TestConfigWarningAndErrors(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, "schema", "t.sql"), "CREATE TABLE t (id int);\n")
	// An unknown key is a warning; the command goes on (and fails later,
	// here on the unreachable database, which shows it went on).
	writeFile(t, filepath.Join(dir, ".pg-flux.yml"), "# settings\ndb: postgres://x@127.0.0.1:1/db\nschema_dirs: schema\n")
	r := pgflux(t, "drift")
	if want := "warning: .pg-flux.yml:3: unknown key \"schema_dirs\" (did you mean \"schema_dir\"?)\n"; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("want the warning %q first, got\n%s", want, r)
	}
	if r.code != 2 || !strings.Contains(r.stderr, "cannot connect to 127.0.0.1:1/db") {
		t.Errorf("after the warning the command goes on:\n%s", r)
	}

	// With JSON logs, the warning is a log record like every other line.
	r = pgflux(t, "drift", "--log-format", "json")
	if !hasLog(r.stderr, map[string]any{"level": "WARN", "command": "drift", "detail": `.pg-flux.yml:3: unknown key "schema_dirs" (did you mean "schema_dir"?)`}) {
		t.Errorf("JSON warning:\n%s", r)
	}

	// A bad value is an error with file:line.
	writeFile(t, filepath.Join(dir, ".pg-flux.yml"), "db: postgres://x@127.0.0.1:1/db\nlock_timeout: soon\n")
	r = pgflux(t, "drift")
	if r.code != 2 || !strings.Contains(r.stderr, `Error: .pg-flux.yml:2: lock_timeout: invalid duration "soon"`) {
		t.Errorf("bad value:\n%s", r)
	}

	// Bad YAML.
	writeFile(t, filepath.Join(dir, ".pg-flux.yml"), "db: [unclosed\n")
	r = pgflux(t, "drift")
	if r.code != 2 || !strings.Contains(r.stderr, "Error: .pg-flux.yml:") || !strings.Contains(r.stderr, "invalid YAML") {
		t.Errorf("bad YAML:\n%s", r)
	}

	// A config file named with --config must exist; the default need not.
	r = pgflux(t, "drift", "--config", filepath.Join(dir, "missing.yml"), "--db", "postgres://x@127.0.0.1:1/db")
	if r.code != 2 || !strings.Contains(r.stderr, "missing.yml: config file not found") {
		t.Errorf("missing --config:\n%s", r)
	}
	os.Remove(filepath.Join(dir, ".pg-flux.yml"))
	r = pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db")
	if r.code != 2 || strings.Contains(r.stderr, "config") {
		t.Errorf("missing default config is fine:\n%s", r)
	}

	// An unreadable config file.
	path := filepath.Join(dir, "unreadable.yml")
	writeFile(t, path, "db: x\n")
	os.Chmod(path, 0)
	if os.Geteuid() != 0 { // root reads anything
		r = pgflux(t, "drift", "--config", path)
		if r.code != 2 || !strings.Contains(r.stderr, "not readable") {
			t.Errorf("unreadable config:\n%s", r)
		}
	}
	r = pgflux(t, "drift", "--config", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "config file is a directory") {
		t.Errorf("directory as config:\n%s", r)
	}

	// A bad environment value names the variable.
	t.Setenv("PGFLUX_MASS_DROP_THRESHOLD", "lots")
	r = pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db")
	if r.code != 2 || !strings.Contains(r.stderr, "PGFLUX_MASS_DROP_THRESHOLD") {
		t.Errorf("bad env value:\n%s", r)
	}
}

func TestUnreachableDatabase(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, "schema", "t.sql"), "CREATE TABLE t (id int);\n")
	for _, args := range [][]string{
		{"drift", "--db", "postgres://x:secret@127.0.0.1:1/db"},
		{"migrate", "status", "--db", "postgres://x:secret@127.0.0.1:1/db"},
		{"migrate", "apply", "--db", "postgres://x:secret@127.0.0.1:1/db", "--log-format", "json", "--verbose"},
		{"verify", "--db", "host=127.0.0.1 port=1 user=x password=secret dbname=db"},
	} {
		r := pgflux(t, args...)
		if r.code != 2 {
			t.Errorf("pg-flux %s: exit %d, want 2\n%s", strings.Join(args, " "), r.code, r)
		}
		if strings.Contains(r.stdout+r.stderr, "secret") {
			t.Errorf("pg-flux %s: the password is printed:\n%s", strings.Join(args, " "), r)
		}
		if !strings.Contains(r.stderr, "Error: cannot connect to 127.0.0.1:1/db: connection refused\n") || !strings.Contains(r.stderr, "--db") {
			t.Errorf("pg-flux %s: want the connection error and the next step:\n%s", strings.Join(args, " "), r)
		}
	}
	// From the environment, the hint names the variable.
	t.Setenv("DATABASE_URL", "postgres://x:secret@127.0.0.1:1/db")
	r := pgflux(t, "drift")
	if r.code != 2 || !strings.Contains(r.stderr, "DATABASE_URL") || strings.Contains(r.stderr, "secret") {
		t.Errorf("DATABASE_URL:\n%s", r)
	}
}

func TestBadSQLFile(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, "schema", "tables", "users.sql"), "CREATE TABLE users (\n  id int\n);\n\nCREATE TABLE orders (id int,, total numeric);\n")
	r := pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db")
	if r.code != 2 || !strings.Contains(r.stderr, "Error: schema/tables/users.sql:5: ") {
		t.Errorf("bad SQL:\n%s", r)
	}
	// Which schema directory is read follows the precedence too.
	writeFile(t, filepath.Join(dir, "env-schema", "e.sql"), "CREATE TABLE e (id int,,);\n")
	writeFile(t, filepath.Join(dir, "flag-schema", "f.sql"), "\nCREATE TABLE f (id int,,);\n")
	t.Setenv("PGFLUX_SCHEMA_DIR", "env-schema")
	if r := pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db"); !strings.Contains(r.stderr, "env-schema/e.sql:1:") {
		t.Errorf("env schema dir:\n%s", r)
	}
	if r := pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db", "--schema", "flag-schema"); !strings.Contains(r.stderr, "flag-schema/f.sql:2:") {
		t.Errorf("flag schema dir:\n%s", r)
	}
	// Data changes are not schema.
	writeFile(t, filepath.Join(dir, "dml", "seed.sql"), "CREATE TABLE s (id int);\nINSERT INTO s VALUES (1);\n")
	if r := pgflux(t, "plan", "--db", "postgres://x@127.0.0.1:1/db", "--schema", "dml"); r.code != 2 || !strings.Contains(r.stderr, "dml/seed.sql:2:") {
		t.Errorf("DML in schema:\n%s", r)
	}
	// A missing schema directory says what to do.
	if r := pgflux(t, "drift", "--db", "postgres://x@127.0.0.1:1/db", "--schema", "nope"); r.code != 2 || !strings.Contains(r.stderr, "pg-flux init") {
		t.Errorf("missing schema dir:\n%s", r)
	}
}

func TestSanitizeLabel(t *testing.T) {
	cases := map[string]string{"add_role": "add_role", "Add Role!": "add_role", "  ": "migration", "drop--legacy__phone": "drop_legacy_phone", "ÜberTable": "bertable"}
	for in, want := range cases {
		if got := sanitizeLabel(in); got != want {
			t.Errorf("sanitizeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReportErrorLockHeld(t *testing.T) {
	var errOut bytes.Buffer
	a := &app{io: &IOStreams{ErrOut: &errOut}}
	root := a.rootCommand()
	err := &runError{err: fmt.Errorf("apply: %w", migration.ErrLockHeld)}
	if code := a.reportError(context.Background(), root, err); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := "Error: could not acquire migration advisory lock (another apply in progress)\nWait for the first to finish, or kill it if stuck.\n"
	if errOut.String() != want {
		t.Errorf("got %q, want %q", errOut.String(), want)
	}

	// Any message is redacted, whatever produced it.
	errOut.Reset()
	a.reportError(context.Background(), root, &runError{err: errors.New("boom at postgres://u:hunter2@h/db")})
	if strings.Contains(errOut.String(), "hunter2") {
		t.Errorf("password printed: %q", errOut.String())
	}
}

// The source is parsed while the database is being reached: when both
// fail, the source's error is the one reported (with its file:line), as
// when the source was read before connecting; when only the database
// fails, its error is.
func TestBrokenSourceReportedBeforeUnreachableDatabase(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, ".pg-flux.yml"), "db: postgres://x@127.0.0.1:1/db\n")
	writeFile(t, filepath.Join(dir, "schema", "t.sql"), "CREATE TABLE t (id int);\nCREATE TABLE u (id int,;\n")
	r := pgflux(t, "drift")
	if r.code != 2 || !strings.Contains(r.stderr, "t.sql:2") || strings.Contains(r.stderr, "cannot connect") {
		t.Errorf("broken source and unreachable database: want the source's error at t.sql:2, got\n%s", r)
	}
	writeFile(t, filepath.Join(dir, "schema", "t.sql"), "CREATE TABLE t (id int);\n")
	if r := pgflux(t, "drift"); r.code != 2 || !strings.Contains(r.stderr, "cannot connect to 127.0.0.1:1/db") {
		t.Errorf("unreachable database: want its error, got\n%s", r)
	}
}
