package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/config"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

// A plan that fails validation is shown with the error that asks for it to
// be reported; other errors are left as they are.
func TestWithPlanShowsFailingPlan(t *testing.T) {
	steps := report.Plan{Steps: []plan.Step{
		{SQL: "ALTER TABLE t\nADD COLUMN a int;", Summary: "add column t.a"},
		{SQL: "DROP INDEX i;", Summary: "drop index i"},
	}}
	err := withPlan(&shadow.PlanFailedError{Err: errors.New("boom")}, steps)
	for _, want := range []string{"boom", "Plan: 2 statements", "-- 1. add column t.a\nALTER TABLE t\nADD COLUMN a int;", "-- 2. drop index i\nDROP INDEX i;"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
	if err := withPlan(&shadow.NotConvergedError{}, steps); !strings.Contains(err.Error(), "DROP INDEX i;") {
		t.Errorf("not-converged error lacks the plan:\n%s", err)
	}
	plain := errors.New("connection refused")
	if err := withPlan(plain, steps); err != plain {
		t.Errorf("other errors must pass unchanged, got %v", err)
	}
}

// TestLiveReadOnTwoSessionsWhenTheSourceIsUnchanged: live is read on two
// sessions when that is the command's longest work (a source parsed before,
// whose desired model is cached), and on one while the source loads into
// the shadow (changed), where a second session would take a core from it.
// Both read the same live.
func TestLiveReadOnTwoSessionsWhenTheSourceIsUnchanged(t *testing.T) {
	p := newLiveProject(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p.write("schema/a.sql", "CREATE TABLE two_a (id int PRIMARY KEY, note text);\nCREATE INDEX two_note ON two_a (note);\n")
	p.db.Exec(t, "CREATE TABLE two_a (id int PRIMARY KEY, note text)")
	run := func(what, want string) result {
		t.Helper()
		r := p.must(1, "drift", "--strict", "--verbose")
		if line := logLine(r.stderr, `msg="live inspected"`); !strings.Contains(line, "two_sessions="+want) {
			t.Errorf("%s: live inspected with %q, want two_sessions=%s:\n%s", what, line, want, r.stderr)
		}
		if !strings.Contains(r.stdout, "two_note") {
			t.Errorf("%s: the missing index is not reported:\n%s", what, r.stdout)
		}
		return r
	}
	first := run("first run", "false")
	second := run("unchanged source", "true")
	if first.stdout != second.stdout {
		t.Errorf("two sessions report another drift than one:\n%s\n---\n%s", first.stdout, second.stdout)
	}
	p.write("schema/a.sql", "CREATE TABLE two_a (id int PRIMARY KEY, note text);\nCREATE INDEX two_note ON two_a (note);\n-- edited\n")
	run("edited source", "false")
	run("unchanged again", "true")
}

// TestLiveReadUnderAConnectionLimit: a role allowed one connection still
// reads live on every run. Its two connections are dialled together: the
// one refused may be either, or both, as they start at once; the command
// then reads on the one it has, or on one more made alone. What the table
// uses outside the managed schema, which a second session reads first, is
// then read on that one.
func TestLiveReadUnderAConnectionLimit(t *testing.T) {
	p := newLiveProject(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p.db.Exec(t, `DO $$ BEGIN CREATE ROLE pgflux_one_connection LOGIN CONNECTION LIMIT 1; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA limited_other;
CREATE TYPE limited_other.mood AS ENUM ('calm');
CREATE TABLE limited (id int PRIMARY KEY, m limited_other.mood);`)
	p.write("schema/a.sql", "CREATE TABLE limited (id int PRIMARY KEY, m limited_other.mood);\n")
	conn := p.db.DSN + " user=pgflux_one_connection"
	watch := p.db.Connect(t)
	for run := 1; run <= 8; run++ {
		// The last run's backend may take a moment to go.
		for i := 0; ; i++ {
			var n int
			if err := watch.QueryRow(context.Background(),
				"SELECT count(*) FROM pg_stat_activity WHERE usename = 'pgflux_one_connection'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 || i == 100 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		r := pgflux(t, "drift", "--strict", "--verbose", "--db", conn, "--shadow-dsn", p.global[3], "--schema", filepath.Join(p.dir, "schema"))
		if r.code != 0 || logLine(r.stderr, `msg="live inspected"`) == "" {
			t.Fatalf("run %d under a connection limit of 1: exit %d\n%s", run, r.code, r)
		}
	}
}

// TestShadowOpensWhileAChangedSourceParses: a source not parsed before is
// not in the cache either, so the shadow that will load it is opened while
// the source parses, not after. Seen here by a source that then fails to
// parse: the shadow was opened all the same, and closed, and the parse
// error is what the command reports. An unchanged source opens none.
func TestShadowOpensWhileAChangedSourceParses(t *testing.T) {
	p := newLiveProject(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p.write("schema/a.sql", "CREATE TABLE ahead (id int PRIMARY KEY);\nCREATE TABLE broken (id int PRIMARY KEY,);\n")
	r := p.run("drift", "--verbose")
	if r.code == 0 || !strings.Contains(r.stderr, "a.sql:2") {
		t.Fatalf("a broken source must fail at a.sql:2:\n%s", r)
	}
	if logLine(r.stderr, `msg="shadow ready"`) == "" || logLine(r.stderr, `msg="shadow closed"`) == "" {
		t.Errorf("the shadow was not opened while the changed source parsed, or not closed:\n%s", r.stderr)
	}

	p.write("schema/a.sql", "CREATE TABLE ahead (id int PRIMARY KEY);\n")
	p.must(1, "drift", "--strict", "--verbose") // loads it: a miss
	r = p.must(1, "drift", "--strict", "--verbose")
	if line := logLine(r.stderr, `msg="shadow ready"`); line != "" {
		t.Errorf("an unchanged source opened the shadow: %s\n%s", line, r.stderr)
	}
}

// TestLiveCatalogReadOnceTheShadowIsReady: inspectLive reads what live
// has outside the managed schemas at once (the source's load waits for
// it), and the catalog only once it is told the shadow is ready: starting
// the shadow is on the command's path, reading live is not.
func TestLiveCatalogReadOnceTheShadowIsReady(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE gated (id int PRIMARY KEY)")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("CREATE TABLE gated (id int PRIMARY KEY);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := &app{io: &IOStreams{ErrOut: &bytes.Buffer{}}, getenv: os.Getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s := &settings{Settings: config.Settings{TargetSchemas: []string{"public"}}}
	ready := make(chan struct{})
	live := a.inspectLive(ctx, s, &target{Conn: db.Connect(t), Major: pgtest.Major()}, loadSource(dir, nil, "test"), false, ready)
	if _, err := live.outsideModel(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-live.done:
		t.Fatal("live's catalog was read before the shadow was ready")
	case <-time.After(300 * time.Millisecond):
	}
	close(ready)
	m, err := live.wait()
	if err != nil {
		t.Fatal(err)
	}
	if m.Tables[model.QName{Schema: "public", Name: "gated"}] == nil {
		t.Errorf("live read once the shadow is ready lacks public.gated: %v", m.Tables)
	}
}

// TestPlanDropsCodeGenerationTypes: a command that plans does not keep
// code generation's types (the proof holds three models at once), while
// gen, served by the cache entry that plan wrote, still has them.
func TestPlanDropsCodeGenerationTypes(t *testing.T) {
	p := newLiveProject(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p.write("schema/a.sql", "CREATE TYPE mood AS ENUM ('ok', 'meh');\nCREATE TABLE typed (id int PRIMARY KEY, feeling mood NOT NULL);\n")
	a := &app{io: &IOStreams{ErrOut: &bytes.Buffer{}}, getenv: os.Getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s, err := a.settingsFor(t, append([]string{"--schema", filepath.Join(p.dir, "schema")}, p.global...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range []stage{stageModels, stagePlan} {
		err := a.withPipeline(context.Background(), s, stage, func(_ *target, pl *pipeline) error {
			if got, want := pl.Desired.TypeInfo != nil, stage < stagePlan; got != want {
				t.Errorf("stage %d: desired has code generation's types: %v, want %v", stage, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The entry plan read is served to gen with its types: the enum's
	// values are typed, not left as strings.
	gen := func(dir string, extra ...string) string {
		t.Helper()
		p.must(0, append([]string{"gen", "--lang", "ts", "--out", dir}, extra...)...)
		var all strings.Builder
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			all.WriteString(path[len(dir):] + "\n" + string(b))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return all.String()
	}
	cached, fresh := gen(filepath.Join(t.TempDir(), "ts")), gen(filepath.Join(t.TempDir(), "ts"), "--no-cache")
	if cached != fresh || !strings.Contains(fresh, `"meh"`) {
		t.Errorf("gen from the cache differs from gen without it, or lacks the enum:\n%s\n---\n%s", cached, fresh)
	}
}
