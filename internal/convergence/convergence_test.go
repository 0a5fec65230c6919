package convergence

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/cli"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// casesDir is testdata/cases, relative to this package.
const casesDir = "../../testdata/cases"

// knownRewrites are the rewrite names a case may expect.
var knownRewrites = []string{plan.RewriteConcurrentDrop, plan.RewriteConcurrentIndex, plan.RewriteIndexSwap, plan.RewriteNotValid, plan.RewriteStagedSetNotNull}

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestCasesAreWellFormed checks the case files themselves, without a
// database: every case has its three files, case.yaml parses, and the
// expected hazards are known kinds, sorted and unique.
func TestCasesAreWellFormed(t *testing.T) {
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("%s: only case directories belong in %s", e.Name(), casesDir)
			continue
		}
		for _, f := range []string{"before.sql", "after.sql", "case.yaml"} {
			if _, err := os.Stat(filepath.Join(casesDir, e.Name(), f)); err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
		}
	}
	cases, err := LoadCases(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Errorf("only %d cases; the suite is meant to cover every kind and change", len(cases))
	}
	for _, c := range cases {
		if strings.TrimSpace(c.Description) == "" {
			t.Errorf("%s: case.yaml has no description", c.Name)
		}
		if c.Before == c.After {
			t.Errorf("%s: before.sql and after.sql are identical", c.Name)
		}
		for _, s := range c.Schemas {
			if s == "" {
				t.Errorf("%s: empty schema name", c.Name)
			}
		}
		for dir, d := range map[string]Direction{"forward": c.Forward, "backward": c.Backward} {
			for _, k := range d.Hazards {
				if !hazard.Kind(k).Valid() {
					t.Errorf("%s: %s: unknown hazard kind %q", c.Name, dir, k)
				}
			}
			if !slices.IsSorted(d.Hazards) || len(slices.Compact(slices.Clone(d.Hazards))) != len(d.Hazards) {
				t.Errorf("%s: %s: hazards %v must be sorted and unique", c.Name, dir, d.Hazards)
			}
			for _, r := range d.Rewrites {
				if !slices.Contains(knownRewrites, r) {
					t.Errorf("%s: %s: unknown rewrite %q (known: %v)", c.Name, dir, r, knownRewrites)
				}
			}
			if !slices.IsSorted(d.Rewrites) || len(slices.Compact(slices.Clone(d.Rewrites))) != len(d.Rewrites) {
				t.Errorf("%s: %s: rewrites %v must be sorted and unique", c.Name, dir, d.Rewrites)
			}
		}
	}
}

// TestConvergence migrates every case in both directions through the real
// command line, in process: generate, check the reported hazards, apply,
// then require no drift, nothing left to generate, and a live hash equal to
// the file's result hash.
func TestConvergence(t *testing.T) {
	cases, err := LoadCases(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var gated []string
	for _, c := range cases {
		if why := c.Gated(pgtest.Major()); why != "" {
			gated = append(gated, c.Name+": "+why)
			t.Run(c.Name, func(t *testing.T) { t.Skip(why) })
			continue
		}
		t.Run(c.Name+"/forward", func(t *testing.T) {
			t.Parallel()
			skipKnownGap(t, c.Forward)
			converge(t, c, c.Before, c.After, c.Forward)
		})
		t.Run(c.Name+"/backward", func(t *testing.T) {
			t.Parallel()
			skipKnownGap(t, c.Backward)
			converge(t, c, c.After, c.Before, c.Backward)
		})
	}
	if len(gated) > 0 {
		t.Logf("%d case(s) gated on PostgreSQL %d:\n  %s", len(gated), pgtest.Major(), strings.Join(gated, "\n  "))
	}
}

// run is one in-process invocation of the command line.
type run struct {
	args   []string
	code   int
	stdout string
	stderr string
}

// session drives the command line against one live database and one
// project directory, keeping a transcript for failure reports.
type session struct {
	t       *testing.T
	ctx     context.Context
	global  []string
	runs    []run
	migDir  string
	genFile string // path of the generated migration, once there is one
}

func (s *session) cli(args ...string) run {
	var stdout, stderr bytes.Buffer
	full := append(append([]string{}, args...), s.global...)
	code := cli.Run(s.ctx, full, strings.NewReader(""), &stdout, &stderr)
	r := run{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
	s.runs = append(s.runs, r)
	return r
}

// fatalf fails the test with the transcript of every command run so far
// and the generated migration file.
func (s *session) fatalf(format string, args ...any) {
	s.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	if s.genFile != "" {
		if content, err := os.ReadFile(s.genFile); err == nil {
			fmt.Fprintf(&b, "\n\n=== generated %s ===\n%s", filepath.Base(s.genFile), content)
		}
	}
	for _, r := range s.runs {
		fmt.Fprintf(&b, "\n=== pg-flux %s → exit %d ===\n", strings.Join(r.args, " "), r.code)
		if r.stdout != "" {
			fmt.Fprintf(&b, "--- stdout ---\n%s", r.stdout)
		}
		if r.stderr != "" {
			fmt.Fprintf(&b, "--- stderr ---\n%s", r.stderr)
		}
	}
	s.t.Fatal(b.String())
}

func converge(t *testing.T, c *Case, from, to string, want Direction) {
	ctx := t.Context()
	db := pgtest.NewDatabase(t)
	createRoles(t, db, c.Roles)
	loadLive(t, db, c.Outside)
	loadLive(t, db, from)

	project := t.TempDir()
	schemaDir := filepath.Join(project, "schema")
	migDir := filepath.Join(project, "migrations")
	for _, d := range []string{schemaDir, migDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if strings.TrimSpace(to) == "" {
		// An empty desired state is still a file a user would keep.
		to = "-- Nothing is declared: the managed schemas are empty.\n"
	}
	if err := os.WriteFile(filepath.Join(schemaDir, "main.sql"), []byte(schemaOnly(t, to)), 0o644); err != nil {
		t.Fatal(err)
	}

	s := &session{t: t, ctx: ctx, migDir: migDir, global: []string{
		"--db", db.DSN,
		"--shadow-dsn", pgtest.ServerDSN(t),
		"--schema", schemaDir,
		"--migrations-dir", migDir,
		"--schemas", strings.Join(c.Schemas, ","),
	}}
	if c.ManageOwners {
		s.global = append(s.global, "--manage-owners")
	}

	// 1. Generate the migration.
	// Cases drop whole schemas on purpose: the mass-drop guard has its own
	// tests (internal/cli).
	if r := s.cli("migrate", "generate", "--label", "case", "--allow-mass-drop"); r.code != 0 {
		s.fatalf("migrate generate: exit %d, want 0", r.code)
	}
	files, err := filepath.Glob(filepath.Join(migDir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		s.fatalf("migrate generate wrote %d files (%v), want 1: every case has changes", len(files), files)
	}
	s.genFile = files[0]
	content, err := os.ReadFile(s.genFile)
	if err != nil {
		t.Fatal(err)
	}
	header, err := ParseHeader(content)
	if err != nil {
		s.fatalf("generated file: %v", err)
	}

	// 2. Exactly the expected hazards.
	wantKinds := want.Hazards
	if wantKinds == nil {
		wantKinds = []string{}
	}
	gotKinds := header.Kinds
	if gotKinds == nil {
		gotKinds = []string{}
	}
	gotRewrites, wantRewrites := header.Rewrites, want.Rewrites
	if gotRewrites == nil {
		gotRewrites = []string{}
	}
	if wantRewrites == nil {
		wantRewrites = []string{}
	}
	if !slices.Equal(gotKinds, wantKinds) || !slices.Equal(gotRewrites, wantRewrites) {
		s.fatalf("hazards reported %v, case.yaml expects %v; rewrites in the file %v, case.yaml expects %v",
			gotKinds, wantKinds, gotRewrites, wantRewrites)
	}

	// 3. Apply, allowing exactly those hazards.
	apply := []string{"migrate", "apply"}
	if len(wantKinds) > 0 {
		apply = append(apply, "--allow-hazards="+strings.Join(wantKinds, ","))
	}
	apply = append(apply, "--allow-mass-drop")
	if r := s.cli(apply...); r.code != 0 {
		s.fatalf("migrate apply: exit %d, want 0", r.code)
	}

	// 4. No drift.
	if r := s.cli("drift", "--strict"); r.code != 0 {
		s.fatalf("drift --strict after apply: exit %d, want 0", r.code)
	}

	// 5. Nothing left to generate.
	if r := s.cli("migrate", "generate", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		s.fatalf("migrate generate --dry-run after apply: exit %d, want 0 and \"No changes\"", r.code)
	}
	if after, _ := filepath.Glob(filepath.Join(migDir, "*.sql")); len(after) != 1 {
		s.fatalf("migrate generate --dry-run wrote a file: %v", after)
	}

	// 6. The live state is the one the file promised.
	conn := db.Connect(t)
	live, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: c.Schemas, Owners: c.ManageOwners})
	if err != nil {
		s.fatalf("inspect live: %v", err)
	}
	if got := live.Hash(); got != header.Result {
		s.fatalf("live hash after apply is %s, the file's result is %s", got, header.Result)
	}

	// 7. The Down section brings live back to the file's baseline.
	if want.DownGap != "" {
		t.Logf("Down round trip not checked: %s", want.DownGap)
		return
	}
	if !header.HasDown {
		s.fatalf("the generated file has no Down section")
	}
	rollback := []string{"migrate", "rollback", "--allow-mass-drop"}
	if len(header.DownKinds) > 0 {
		rollback = append(rollback, "--allow-hazards="+strings.Join(header.DownKinds, ","))
	}
	if r := s.cli(rollback...); r.code != 0 {
		s.fatalf("migrate rollback: exit %d, want 0", r.code)
	}
	live, err = catalog.Inspect(ctx, conn, catalog.Options{Schemas: c.Schemas, Owners: c.ManageOwners})
	if err != nil {
		s.fatalf("inspect live: %v", err)
	}
	if got := live.Hash(); got != header.Baseline {
		s.fatalf("live hash after the Down section is %s, the file's baseline is %s", got, header.Baseline)
	}
}

// loadLive builds the live database from a case's SQL. Source files may
// declare objects before what they depend on (the product loads them in
// dependency order), so when the file does not run as one batch its
// statements are retried until a pass makes no progress, the way a live
// database may have been built over time.
func loadLive(t *testing.T, db *pgtest.Database, sql string) {
	t.Helper()
	if strings.TrimSpace(sql) == "" {
		return
	}
	ctx := t.Context()
	conn := db.Connect(t)
	if _, err := conn.Exec(ctx, sql); err == nil {
		return
	}
	stmts, err := source.SplitFor("live.sql", sql, source.FallbackMajor)
	if err != nil {
		t.Fatalf("split live SQL: %v", err)
	}
	pending := stmts
	relaxed := false
	for len(pending) > 0 {
		var failed []source.Statement
		var lastErr error
		for _, st := range pending {
			if _, err := conn.Exec(ctx, st.SQL); err != nil {
				failed, lastErr = append(failed, st), fmt.Errorf("line %d: %w", st.Line, err)
			}
		}
		if len(failed) == len(pending) && !relaxed {
			// A function body and a table that need each other: created
			// the way pg_dump does, bodies unchecked.
			if _, err := conn.Exec(ctx, "SET check_function_bodies = off"); err != nil {
				t.Fatal(err)
			}
			relaxed = true
			continue
		}
		if len(failed) == len(pending) {
			t.Fatalf("load live SQL: %v\n%s", lastErr, sql)
		}
		pending = failed
	}
}

// dataStatements are the statement kinds a case's SQL may use to give the
// live database rows (and row estimates, for the rewrites that depend on
// them). They are run on live only: source holds no data.
var dataStatements = map[string]bool{"InsertStmt": true, "UpdateStmt": true, "DeleteStmt": true, "VacuumStmt": true}

// schemaOnly is a case's SQL without its data statements, as a schema
// file. SQL without any is returned unchanged.
func schemaOnly(t *testing.T, sql string) string {
	t.Helper()
	stmts, err := source.SplitFor("case.sql", sql, source.FallbackMajor)
	if err != nil {
		return sql // let the command report it
	}
	var keep []string
	for _, st := range stmts {
		if !dataStatements[st.Node] {
			keep = append(keep, st.SQL+";\n")
		}
	}
	if len(keep) == len(stmts) {
		return sql
	}
	return strings.Join(keep, "\n")
}

// createRoles creates a case's roles as NOLOGIN roles; roles are
// cluster-wide, so one that exists already (another case made it) is fine.
func createRoles(t *testing.T, db *pgtest.Database, roles []string) {
	t.Helper()
	for _, r := range roles {
		db.Exec(t, fmt.Sprintf(`DO $$ BEGIN CREATE ROLE %s NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
			`"`+strings.ReplaceAll(r, `"`, `""`)+`"`))
	}
}

// skipKnownGap skips a direction whose case.yaml records a known product
// gap, printing the reason.
func skipKnownGap(t *testing.T, d Direction) {
	if d.KnownGap != "" {
		t.Skipf("known gap: %s", d.KnownGap)
	}
}
