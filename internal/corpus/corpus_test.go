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

// TestCorpusRoundTrip takes every corpus schema through the adoption loop:
// load it into a live database; the corpus itself is source without a
// diff; dump it; the dump is source that declares live exactly (drift and
// verify, strict); a plan from an empty database to the dump creates
// everything and converges; and a plan from there to an empty source drops
// everything and converges.
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
	common := []string{"--shadow-dsn", pgtest.ServerDSN(t), "--schemas", strings.Join(schemas, ","),
		"--tracking-schema", "_pgflux_corpus"}
	run := func(want int, args ...string) bool {
		t.Helper()
		code, out := pgflux(append(args, common...)...)
		if code != want {
			t.Errorf("pg-flux %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, clip(out))
			return false
		}
		return true
	}
	t.Logf("loaded in %v; schemas %v", time.Since(began), schemas)

	// The corpus as source matches the database it was loaded into.
	run(0, "drift", "--strict", "--db", live.DSN, "--schema", src)

	out := filepath.Join(t.TempDir(), "schema")
	if !run(0, "dump", "--db", live.DSN, "--output", out) {
		return
	}
	run(0, "drift", "--strict", "--db", live.DSN, "--schema", out)
	run(0, "verify", "--strict", "--db", live.DSN, "--schema", out)

	fresh := pgtest.NewDatabase(t)
	if !run(0, "apply", "--db", fresh.DSN, "--schema", out) || !run(0, "drift", "--strict", "--db", fresh.DSN, "--schema", out) {
		return
	}

	// And back to nothing: every drop is ordered so that no dependent
	// blocks it.
	empty := t.TempDir()
	if run(0, "apply", "--db", fresh.DSN, "--schema", empty, "--allow-mass-drop", "--allow-hazards", allHazards()) {
		run(0, "drift", "--strict", "--db", fresh.DSN, "--schema", empty)
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

// userSchemas lists the schemas the corpus created (not PostgreSQL's own).
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
