package corpus

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/cli"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestCorpusRoundTrip takes every corpus schema through the adoption loop
// a team follows, with every schema of the database managed (as \dn lists
// them): load it (roles.sql first, as on the platform it comes from) into
// a live database; its schema.sql is source without a diff (drift and
// verify, strict), loaded in an embedded shadow where its roles are only
// what pg-flux creates, with owners managed and not; dump it, owners
// included; the dump is source that declares live exactly; migrate
// generate and migrate apply build a fresh database from the dump, which
// then has no drift and the same relations as live; and a plan from there
// to an empty source drops everything and converges.
func TestCorpusRoundTrip(t *testing.T) {
	dir, err := Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	names, err := Schemas(dir)
	if err != nil || len(names) == 0 {
		t.Fatalf("no corpus schemas in %s: %v", dir, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if gap, ok := knownGaps[name]; ok {
				t.Skipf("known gap: %s", gap)
			}
			roundTrip(t, filepath.Join(dir, name))
		})
	}
}

// knownGaps are corpus schemas that do not yet make the whole round trip,
// with the first difference seen; each is skipped with that reason, so the
// gap stays visible in every run until it is fixed and the line removed.
var knownGaps = map[string]string{}

// pgflux runs the command line in process and returns its exit code and
// output.
func pgflux(args ...string) (int, string) {
	var out bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

func roundTrip(t *testing.T, src string) {
	began := time.Now()
	live := pgtest.NewDatabase(t)
	psql(t, live.DSN, src)
	schemas := userSchemas(t, live)
	managed := []string{"--schemas", strings.Join(schemas, ","), "--tracking-schema", "_pgflux_corpus"}
	// embedded runs with an embedded shadow server; shared with the test
	// server as the shadow, where the roles live has are.
	embedded := func(want int, args ...string) bool {
		t.Helper()
		code, out := pgflux(append(args, managed...)...)
		if code != want {
			t.Errorf("pg-flux %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, clip(out))
			return false
		}
		return true
	}
	shared := func(want int, args ...string) bool {
		t.Helper()
		return embedded(want, append(args, "--shadow-dsn", pgtest.ServerDSN(t))...)
	}
	t.Logf("loaded in %v; schemas %v", time.Since(began), schemas)

	// The corpus as source matches the database it was loaded into. Its
	// roles.sql is not source: roles are the cluster's.
	own := filepath.Join(t.TempDir(), "source")
	copyFile(t, filepath.Join(src, "schema.sql"), filepath.Join(own, "schema.sql"))
	embedded(0, "drift", "--strict", "--db", live.DSN, "--schema", own)
	embedded(0, "verify", "--strict", "--db", live.DSN, "--schema", own)
	embedded(0, "drift", "--strict", "--manage-owners", "--db", live.DSN, "--schema", own)
	t.Logf("own source checked in %v", time.Since(began))

	out := filepath.Join(t.TempDir(), "schema")
	if !shared(0, "dump", "--manage-owners", "--db", live.DSN, "--output", out) {
		return
	}
	shared(0, "drift", "--strict", "--manage-owners", "--db", live.DSN, "--schema", out)
	shared(0, "verify", "--strict", "--manage-owners", "--db", live.DSN, "--schema", out)

	fresh := pgtest.NewDatabase(t)
	migrations := filepath.Join(t.TempDir(), "migrations")
	if !shared(0, "migrate", "generate", "--manage-owners", "--db", fresh.DSN, "--schema", out, "--migrations-dir", migrations, "--label", "adopt") ||
		!shared(0, "migrate", "apply", "--manage-owners", "--db", fresh.DSN, "--schema", out, "--migrations-dir", migrations) ||
		!shared(0, "drift", "--strict", "--manage-owners", "--db", fresh.DSN, "--schema", out) {
		return
	}
	if l, f := relations(t, live, schemas), relations(t, fresh, schemas); l != f {
		t.Errorf("the database built from the dump has other relations than live:\nlive:  %s\nfresh: %s", l, f)
	}

	// And back to nothing: every drop is ordered so that no dependent
	// blocks it.
	empty := t.TempDir()
	if shared(0, "apply", "--db", fresh.DSN, "--schema", empty, "--allow-mass-drop", "--allow-hazards", allHazards()) {
		shared(0, "drift", "--strict", "--db", fresh.DSN, "--schema", empty)
	}
	t.Logf("round trip in %v", time.Since(began))
}

// allHazards allows every hazard kind: the teardown drops everything on
// purpose.
func allHazards() string {
	var kinds []string
	for _, k := range hazard.Kinds {
		kinds = append(kinds, string(k))
	}
	return strings.Join(kinds, ",")
}

// psql loads a corpus schema as its README says: roles.sql, then schema.sql,
// stopping at the first error.
func psql(t *testing.T, dsn, dir string) {
	t.Helper()
	bin, err := pgserver.FindBinaries(pgtest.Major())
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn}
	if _, err := os.Stat(filepath.Join(dir, "roles.sql")); err == nil {
		args = append(args, "-f", filepath.Join(dir, "roles.sql"))
	}
	args = append(args, "-f", filepath.Join(dir, "schema.sql"))
	cmd := exec.Command(filepath.Join(bin.Dir, "psql"), args...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c client_min_messages=warning")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("load %s: %v\n%s", dir, err, clip(string(out)))
	}
}

// copyFile copies a file, creating the directory it goes to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// relations lists "schema.name:relkind" of every relation in the schemas,
// sorted.
func relations(t *testing.T, db *pgtest.Database, schemas []string) string {
	t.Helper()
	var s string
	err := db.Connect(t).QueryRow(context.Background(), `
SELECT coalesce(string_agg(format('%I.%I:%s', n.nspname, c.relname, c.relkind), ' ' ORDER BY n.nspname, c.relname), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1)`, schemas).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// userSchemas lists the schemas the corpus created, as \dn does: every
// schema but PostgreSQL's own.
func userSchemas(t *testing.T, db *pgtest.Database) []string {
	t.Helper()
	rows, err := db.Connect(t).Query(context.Background(), `
SELECT nspname FROM pg_namespace
WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
ORDER BY nspname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// clip keeps test output readable: the first lines of a long report;
// PGFLUX_CORPUS_FULL=1 shows the whole report when diagnosing a gap.
func clip(s string) string {
	if os.Getenv("PGFLUX_CORPUS_FULL") != "" {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 40 {
		return strings.Join(lines[:40], "") + fmt.Sprintf("… (%d more lines)\n", len(lines)-40)
	}
	return s
}
