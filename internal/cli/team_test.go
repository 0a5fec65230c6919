package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// generated runs migrate generate and returns the path of the file written.
func (p *liveProject) generate(label string, extra ...string) string {
	p.t.Helper()
	r := p.must(0, append([]string{"migrate", "generate", "--label", label}, extra...)...)
	m := generatedRE.FindStringSubmatch(r.stdout)
	if m == nil {
		p.t.Fatalf("generate --label %s: no file written\n%s", label, r)
	}
	return m[1]
}

func (p *liveProject) read(rel string) string {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, rel))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// header returns the value of a "-- key:" header line of a migration file.
func header(content, key string) string {
	for _, l := range strings.Split(content, "\n") {
		if v, ok := strings.CutPrefix(l, "-- "+key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestGenerateTwiceWithoutApplying(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
	fa := p.generate("a")
	p.write("schema/b.sql", "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n")
	r := p.must(0, "plan")
	if strings.Contains(r.stdout, "CREATE TABLE public.a") || !strings.Contains(r.stdout, "CREATE TABLE public.b") {
		t.Errorf("plan on top of the pending file repeats it or misses b:\n%s", r)
	}
	fb := p.generate("b")
	a, b := p.read(fa), p.read(fb)
	if strings.Contains(b, "CREATE TABLE public.a") {
		t.Errorf("the second file repeats the first:\n%s", b)
	}
	if header(b, "baseline") != header(a, "result") {
		t.Errorf("second baseline %s is not the first's result %s", header(b, "baseline"), header(a, "result"))
	}
	r = p.must(0, "migrate", "apply")
	if strings.Count(r.stdout, "Applied ") != 2 {
		t.Errorf("apply:\n%s", r)
	}
	p.must(0, "drift", "--strict")

	// A pending file that no longer replays is named, with the fix.
	p.write("schema/c.sql", "CREATE TABLE c (id int);\n")
	fc := p.generate("c")
	writeFile(t, filepath.Join(p.dir, fc), strings.Replace(p.read(fc), "-- +pg-flux Down", "ALTER TABLE nope ADD COLUMN x int;\n\n-- +pg-flux Down", 1))
	p.write("schema/d.sql", "CREATE TABLE d (id int);\n")
	r = p.must(1, "migrate", "generate", "--label", "d")
	if !strings.Contains(r.stderr, "pending migration "+filepath.Base(fc)+" no longer replays") || !strings.Contains(r.stderr, "pg-flux migrate rebase") {
		t.Errorf("broken pending file:\n%s", r)
	}
	if len(p.migrations()) != 3 {
		t.Errorf("a refused generate wrote a file")
	}
	r = p.must(0, "migrate", "generate", "--label", "d", "--ignore-pending", "--dry-run")
	if !strings.Contains(r.stdout, "CREATE TABLE public.c") {
		t.Errorf("--ignore-pending plans against live alone:\n%s", r)
	}
}

// appliedTwo makes a project with two applied generated files.
func appliedTwo(t *testing.T) (*liveProject, string, string) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
	fa := p.generate("a")
	p.write("schema/b.sql", "CREATE TABLE b (id int PRIMARY KEY);\n")
	fb := p.generate("b")
	p.must(0, "migrate", "apply")
	return p, fa, fb
}

func TestStatusAndIntegrity(t *testing.T) {
	p, fa, fb := appliedTwo(t)
	r := p.must(0, "migrate", "status", "--format", "json")
	var rep struct {
		Migrations []struct {
			File, State, Checksum string
			StepsDone             int `json:"steps_done"`
		}
		ChainBrokenAt string `json:"chain_broken_at"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Migrations) != 2 || rep.Migrations[0].State != "applied" || rep.Migrations[1].State != "applied" {
		t.Fatalf("status --format json (%v):\n%s", err, r)
	}

	// An edited applied file: status exits 1, apply refuses naming it and
	// the command that fixes it.
	orig := p.read(fa)
	writeFile(t, filepath.Join(p.dir, fa), orig+"\nCREATE TABLE sneaky (id int);\n")
	r = p.must(1, "migrate", "status")
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Base(fa)) + `\s+modified\s`).MatchString(r.stdout) {
		t.Errorf("status of an edited file:\n%s", r)
	}
	p.write("schema/c.sql", "CREATE TABLE c (id int);\n")
	p.generate("c")
	r = p.must(1, "migrate", "apply")
	if !strings.Contains(r.stderr, filepath.Base(fa)+" was changed after it was applied") || !strings.Contains(r.stderr, "pg-flux migrate repair") {
		t.Errorf("apply after an edit:\n%s", r)
	}
	writeFile(t, filepath.Join(p.dir, fa), orig)

	// A deleted applied file: status says missing and exits 1; apply warns.
	os.Rename(filepath.Join(p.dir, fb), filepath.Join(p.dir, "kept.sql.bak"))
	r = p.must(1, "migrate", "status")
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Base(fb)) + `\s+missing\s`).MatchString(r.stdout) {
		t.Errorf("status with a deleted file:\n%s", r)
	}
	// A reordered history: the file is back under a name that sorts first.
	renamed := filepath.Join(p.dir, "migrations", "20000101_000000_b.sql")
	os.Rename(filepath.Join(p.dir, "kept.sql.bak"), renamed)
	r = p.must(1, "migrate", "status")
	if !regexp.MustCompile(`(?m)^20000101_000000_b\.sql\s+renamed\s`).MatchString(r.stdout) {
		t.Errorf("status with a renamed file:\n%s", r)
	}
	r = p.must(1, "migrate", "apply")
	if !strings.Contains(r.stderr, "20000101_000000_b.sql has the same bytes as "+filepath.Base(fb)) || !strings.Contains(r.stderr, "Rename 20000101_000000_b.sql back to "+filepath.Base(fb)) {
		t.Errorf("apply with a renamed file:\n%s", r)
	}
	os.Rename(renamed, filepath.Join(p.dir, fb))

	// A deleted ledger row: the chain breaks at the next one.
	p.db.Exec(t, "DELETE FROM _pgflux.migrations WHERE filename = '"+filepath.Base(fa)+"'")
	r = p.must(1, "migrate", "status")
	if !strings.Contains(r.stdout, "the checksum chain breaks at "+filepath.Base(fb)) {
		t.Errorf("status after a ledger row was deleted:\n%s", r)
	}
	r = p.must(1, "migrate", "apply")
	if !strings.Contains(r.stderr, "chain breaks at "+filepath.Base(fb)+" (recorded after the start of the history)") {
		t.Errorf("apply after a ledger row was deleted:\n%s", r)
	}
}

func TestRepair(t *testing.T) {
	p, fa, _ := appliedTwo(t)
	orig := p.read(fa)
	if r := p.must(0, "migrate", "repair"); r.stdout != "Nothing to repair: every applied file matches the ledger.\n" {
		t.Errorf("repair with nothing to do:\n%s", r)
	}
	// A comment and whitespace edit is accepted.
	edited := strings.Replace(orig, "CREATE TABLE", "-- reviewed by ops\nCREATE   TABLE", 1)
	writeFile(t, filepath.Join(p.dir, fa), edited)
	p.must(1, "migrate", "status")
	r := p.must(0, "migrate", "repair", "--dry-run")
	if !strings.Contains(r.stdout, "Would re-record the checksum of "+filepath.Base(fa)) {
		t.Errorf("repair --dry-run:\n%s", r)
	}
	p.must(1, "migrate", "status")
	r = p.must(0, "migrate", "repair")
	if !strings.Contains(r.stdout, "Re-recorded the checksum of "+filepath.Base(fa)+": only comments or whitespace changed") {
		t.Errorf("repair:\n%s", r)
	}
	p.must(0, "migrate", "status")
	p.must(0, "migrate", "apply")

	// A statement edit is refused, naming it.
	writeFile(t, filepath.Join(p.dir, fa), strings.Replace(edited, "id integer", "id bigint", 1))
	r = p.must(1, "migrate", "repair")
	if !strings.Contains(r.stderr, "refusing to repair "+filepath.Base(fa)+": statement 1 (") || !strings.Contains(r.stderr, "git checkout -- ") {
		t.Errorf("repair of a statement edit:\n%s", r)
	}
	p.must(1, "migrate", "status")

	// So is an edit of the Down section, which rollback would run.
	down := strings.Index(edited, "\n-- +pg-flux Down\n")
	if down < 0 || !strings.Contains(edited[down:], "DROP TABLE public.a;") {
		t.Fatalf("no Down section dropping the table in %s:\n%s", fa, edited)
	}
	writeFile(t, filepath.Join(p.dir, fa), edited[:down]+strings.Replace(edited[down:], "DROP TABLE public.a;", "DROP TABLE public.a CASCADE;", 1))
	r = p.must(1, "migrate", "repair")
	if !strings.Contains(r.stderr, "refusing to repair "+filepath.Base(fa)+": Down statement 1 (") || !strings.Contains(r.stderr, "DROP TABLE public.a CASCADE") {
		t.Errorf("repair of a Down statement edit:\n%s", r)
	}
	// A comment in the Down is not.
	writeFile(t, filepath.Join(p.dir, fa), edited[:down]+strings.Replace(edited[down:], "DROP TABLE public.a;", "-- checked\nDROP   TABLE public.a;", 1))
	p.must(0, "migrate", "repair")
	p.must(0, "migrate", "status")
}

// liveHash is the hash plan reports as the baseline of an empty plan:
// live's hash, as migration files record it.
func (p *liveProject) liveHash() string {
	p.t.Helper()
	r := p.must(0, "plan", "--format", "json", "--ignore-pending")
	var pj struct{ Baseline string }
	if err := json.Unmarshal([]byte(r.stdout), &pj); err != nil {
		p.t.Fatalf("plan --format json: %v\n%s", err, r)
	}
	return pj.Baseline
}

func TestRollback(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY, note text);\n")
	f1 := p.generate("a")
	p.must(0, "migrate", "apply")
	p.db.Exec(t, "INSERT INTO a VALUES (1, 'kept')")

	// Three more files: a column (with a drop in the Down), a table, an index.
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY, note text, extra int);\n")
	f2 := p.generate("extra")
	if c := p.read(f2); !strings.Contains(c, "\n-- +pg-flux Down\n") || !strings.Contains(c, "DROP COLUMN extra") {
		t.Fatalf("generated file has no Down section:\n%s", c)
	}
	p.write("schema/b.sql", "CREATE TABLE b (id int);\n")
	f3 := p.generate("b", "--down=file")
	if _, err := os.Stat(strings.TrimSuffix(f3, ".sql") + ".down.sql"); err != nil {
		t.Fatalf("--down=file wrote no .down.sql: %v", err)
	}
	p.write("schema/c.sql", "CREATE INDEX a_note ON a (note);\n")
	f4 := p.generate("idx")
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")

	// Rolling back 1: the index goes, live is the file's baseline.
	r := p.must(0, "migrate", "rollback")
	if !strings.Contains(r.stdout, "Rolled back "+filepath.Base(f4)) {
		t.Errorf("rollback:\n%s", r)
	}
	if got, want := p.liveHash(), header(p.read(f4), "baseline"); got != want {
		t.Errorf("live after rollback of 1 = %s, want the baseline %s", got, want)
	}
	if r := p.must(0, "migrate", "status"); !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Base(f4)) + `\s+pending\s`).MatchString(r.stdout) {
		t.Errorf("status after rollback:\n%s", r)
	}

	// A Down that drops data is refused unless allowed.
	p.must(0, "migrate", "apply")
	r = p.must(1, "migrate", "rollback", "3", "--allow-mass-drop")
	if !strings.Contains(r.stderr, "refusing to roll back ") || !strings.Contains(r.stderr, "[HAZARD DATA_LOSS]") || !strings.Contains(r.stderr, "pg-flux migrate rollback --allow-hazards=DATA_LOSS") {
		t.Errorf("rollback of a DATA_LOSS Down:\n%s", r)
	}
	// Drift is refused.
	p.db.Exec(t, "CREATE TABLE hotfix (id int)")
	r = p.must(1, "migrate", "rollback", "3", "--allow-hazards=DATA_LOSS", "--allow-mass-drop")
	if !strings.Contains(r.stderr, "refusing to roll back "+filepath.Base(f4)+": live database state has drifted") || !strings.Contains(r.stderr, "--force-after-drift") {
		t.Errorf("rollback after drift:\n%s", r)
	}
	p.db.Exec(t, "DROP TABLE hotfix")

	r = p.must(0, "migrate", "rollback", "3", "--allow-hazards=DATA_LOSS", "--allow-mass-drop")
	for _, f := range []string{f4, f3, f2} {
		if !strings.Contains(r.stdout, "Rolled back "+filepath.Base(f)) {
			t.Errorf("rollback 3 did not undo %s:\n%s", f, r)
		}
	}
	if got, want := p.liveHash(), header(p.read(f2), "baseline"); got != want {
		t.Errorf("live after rollback of 3 = %s, want the oldest file's baseline %s", got, want)
	}
	if v := p.scalar("SELECT note FROM a WHERE id = 1"); v != "kept" {
		t.Errorf("rows of a: %q", v)
	}
	// Applying again brings everything back; drift is clean.
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")

	// --to rolls back down to and including the named file, and nothing
	// once that file is no longer applied: running it twice (as a deploy
	// script does after an interruption) undoes f3 and f4 once, not f2.
	r = p.must(0, "migrate", "rollback", "--to", f3, "--allow-hazards=DATA_LOSS", "--allow-mass-drop")
	if !strings.Contains(r.stdout, "Rolled back "+filepath.Base(f4)) || !strings.Contains(r.stdout, "Rolled back "+filepath.Base(f3)) || strings.Contains(r.stdout, filepath.Base(f2)) {
		t.Errorf("rollback --to %s:\n%s", f3, r)
	}
	r = p.must(0, "migrate", "rollback", "--to", filepath.Base(f3))
	if !strings.Contains(r.stdout, "Nothing to roll back: "+filepath.Base(f3)+" is not recorded as applied.") {
		t.Errorf("second rollback --to:\n%s", r)
	}
	if got, want := p.liveHash(), header(p.read(f3), "baseline"); got != want {
		t.Errorf("live after rollback --to = %s, want %s's baseline %s", got, f3, want)
	}
	r = p.must(1, "migrate", "rollback", "--to", "20000101_000000_nosuch.sql")
	if !strings.Contains(r.stderr, "no such migration file") {
		t.Errorf("rollback --to a missing file:\n%s", r)
	}
	p.must(2, "migrate", "rollback", "2", "--to", filepath.Base(f3))
	p.must(0, "migrate", "apply")

	// A hand-written file without a Down section is refused, by name.
	p.write("migrations/29990101_000000_hand.sql", "CREATE TABLE hand (id int);\n")
	p.must(0, "migrate", "apply")
	r = p.must(1, "migrate", "rollback")
	if !strings.Contains(r.stderr, "refusing to roll back 29990101_000000_hand.sql: the file has no Down section") {
		t.Errorf("rollback of a hand-written file:\n%s", r)
	}
	_ = f1
}

func TestRollbackResumesAfterKill(t *testing.T) {
	bin := buildBinary(t)
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
	p.write("migrations/001_multi.sql", "CREATE TABLE m1 (id int);\n"+
		"CREATE TABLE m2 (id int);\n"+
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS m2_id ON m2 (id);\n"+
		"ALTER TABLE t ADD COLUMN note text;\n"+
		"-- +pg-flux Down\n"+
		"DROP TABLE m1;\n"+
		"DROP INDEX CONCURRENTLY IF EXISTS m2_id;\n"+
		"ALTER TABLE t DROP COLUMN note;\n"+
		"DROP TABLE m2;\n")
	p.must(0, "migrate", "apply")
	_, release := holdOpen(t, p.db, "SELECT count(*) FROM t")

	cmd := exec.Command(bin, append([]string{"migrate", "rollback", "--allow-hazards=DATA_LOSS", "--allow-mass-drop", "--lock-timeout", "60s"}, p.global...)...)
	cmd.Dir = p.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	backend := waitFor(t, p, "ALTER TABLE to wait", `SELECT pid::text FROM pg_stat_activity
		WHERE query LIKE 'ALTER TABLE t DROP COLUMN%' AND wait_event_type = 'Lock'`, 30*time.Second)
	killAndWaitForBackend(t, p, cmd, backend)
	t.Logf("killed rollback output:\n%s", &out)

	if v := p.scalar("SELECT status || ' ' || down_steps_done FROM _pgflux.migrations"); v != "rolling_back 2" {
		t.Errorf("ledger after the kill: %s", v)
	}
	p.must(1, "migrate", "status")
	release()
	r := p.must(0, "migrate", "rollback", "--allow-hazards=DATA_LOSS", "--allow-mass-drop")
	if !strings.Contains(r.stdout, "Rolled back 001_multi.sql (2 statements") {
		t.Errorf("resume ran other than the remaining steps:\n%s", r)
	}
	if v := p.scalar("SELECT count(*)::text FROM _pgflux.migrations"); v != "0" {
		t.Errorf("ledger rows after the rollback: %s", v)
	}
	if v := p.scalar("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'"); v != "0" {
		t.Error("column note still there")
	}
}

func TestRenameHints(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/s.sql", `CREATE TYPE mood AS ENUM ('glad', 'sad');
CREATE SEQUENCE counter;
CREATE TABLE people (id int PRIMARY KEY, name text, feeling mood);
CREATE INDEX people_name ON people (name);
CREATE VIEW adults AS SELECT id FROM people;
CREATE FUNCTION greet(n int) RETURNS int LANGUAGE sql AS 'SELECT n';
`)
	p.generate("v1")
	p.must(0, "migrate", "apply")
	p.db.Exec(t, "INSERT INTO people VALUES (1, 'Ada', 'glad'), (2, 'Bob', 'sad')")

	p.write("schema/s.sql", `-- @renamed from=mood
CREATE TYPE feeling AS ENUM (
    'happy', -- @renamed from=glad
    'sad'
);
-- @renamed from=counter
CREATE SEQUENCE ticket;
-- @renamed from=people
CREATE TABLE persons (
    id int PRIMARY KEY,
    full_name text, -- @renamed from=name
    -- @renamed from=feeling
    mood feeling
);
-- @renamed from=people_name
CREATE INDEX persons_full_name ON persons (full_name);
-- @renamed from=adults
CREATE VIEW grown_ups AS SELECT id FROM persons;
-- @renamed from=greet
CREATE FUNCTION hello(n int) RETURNS int LANGUAGE sql AS 'SELECT n';
`)
	f := p.generate("renames")
	c := p.read(f)
	up := c[:strings.Index(c, "-- +pg-flux Down")]
	for _, want := range []string{
		"ALTER TABLE public.people RENAME TO persons;",
		"ALTER TABLE public.persons RENAME COLUMN name TO full_name;",
		"ALTER TABLE public.persons RENAME COLUMN feeling TO mood;",
		"ALTER TYPE public.mood RENAME TO feeling;",
		"ALTER TYPE public.feeling RENAME VALUE 'glad' TO 'happy';",
		"ALTER SEQUENCE public.counter RENAME TO ticket;",
		"ALTER INDEX public.people_name RENAME TO persons_full_name;",
		"ALTER VIEW public.adults RENAME TO grown_ups;",
		"ALTER FUNCTION public.greet(n integer) RENAME TO hello;",
		"[ADVISORY RENAME]",
	} {
		if !strings.Contains(up, want) {
			t.Errorf("the migration lacks %q:\n%s", want, c)
		}
	}
	for _, bad := range []string{"DATA_LOSS", "DROP TABLE", "DROP COLUMN", "DROP TYPE"} {
		if strings.Contains(up, bad) {
			t.Errorf("the migration has %q:\n%s", bad, c)
		}
	}
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")
	if v := p.scalar("SELECT string_agg(full_name || ':' || mood, ',' ORDER BY id) FROM persons"); v != "Ada:happy,Bob:sad" {
		t.Errorf("rows after the renames: %q", v)
	}
	// The hints stay in source: nothing more to do, and --verbose says why.
	r := p.must(0, "plan", "--verbose")
	if !strings.Contains(r.stderr, "@renamed from=people ignored: table people is not in live (already renamed to persons)") {
		t.Errorf("plan --verbose does not say the hint was ignored:\n%s", r)
	}
	if r := p.must(0, "migrate", "generate", "--dry-run"); !strings.HasPrefix(r.stdout, "No changes") {
		t.Errorf("generate after the renames:\n%s", r)
	}
	// The Down section renames everything back; the rows survive.
	p.must(0, "migrate", "rollback")
	if v := p.scalar("SELECT string_agg(name || ':' || feeling, ',' ORDER BY id) FROM people"); v != "Ada:glad,Bob:sad" {
		t.Errorf("rows after the rollback: %q", v)
	}
	p.must(0, "migrate", "apply")

	// A hint whose object exists under both names is an error with file:line.
	p.db.Exec(t, "CREATE TABLE people (id int)")
	r = p.must(2, "plan")
	if !strings.Contains(r.stderr, "schema/s.sql:8: @renamed from=people: live has both table people and persons") {
		t.Errorf("both names:\n%s", r)
	}
}

// TestGenerateRebasesAfterDrift is the drift playbook's Scenario B: apply
// refuses a pending file because live drifted since it was generated, and
// its advice, re-running migrate generate after pulling the change into
// source, rebases the pending file so that apply takes it.
func TestGenerateRebasesAfterDrift(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
	p.generate("a")
	p.must(0, "migrate", "apply")
	p.write("schema/payments.sql", "CREATE TABLE payments (id bigint PRIMARY KEY);\n")
	pending := p.generate("add_payments")

	p.db.Exec(t, "CREATE TABLE hotfix_log (id int PRIMARY KEY, msg text)")
	r := p.must(1, "migrate", "apply")
	if !strings.Contains(r.stderr, "live database state has drifted") || !strings.Contains(r.stderr, "Re-run `pg-flux migrate generate` to rebase the migration") {
		t.Fatalf("apply after drift:\n%s", r)
	}
	p.must(0, "pull")
	r = p.must(0, "migrate", "generate", "--label", "rebase", "--dry-run")
	if !strings.Contains(r.stdout, filepath.Base(pending)+": rebased") || !strings.Contains(r.stdout, "Dry run: nothing was written.") {
		t.Errorf("generate --dry-run after drift:\n%s", r)
	}
	p.must(1, "migrate", "apply") // the dry run wrote nothing
	r = p.must(0, "migrate", "generate", "--label", "rebase")
	if !strings.Contains(r.stderr, "rebasing the pending migrations onto it first") || !strings.Contains(r.stdout, filepath.Base(pending)+": rebased") {
		t.Errorf("generate after drift:\n%s", r)
	}
	if !strings.Contains(r.stdout, "No changes: the pending migrations already bring live in step with source") {
		t.Errorf("generate after the rebase planned more:\n%s", r)
	}
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")
	if n := p.scalar("SELECT count(*) FROM pg_tables WHERE tablename IN ('payments', 'hotfix_log')"); n != "2" {
		t.Errorf("tables after apply: %s of payments and hotfix_log", n)
	}
}
