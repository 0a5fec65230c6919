package cli

import (
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/pg-flux/pg-flux/internal/model"
)

// TestGenerateProvesDownOnTheMigrationsCopy: migrate generate proves the
// Down section on the scratch copy of live the migration was proven on,
// right after it: the Down costs no copy of live (a second copy would
// replay the migration); an unchanged source proves neither again.
func TestGenerateProvesDownOnTheMigrationsCopy(t *testing.T) {
	p := newLiveProject(t)
	t.Setenv("PGFLUX_CACHE_DIR", t.TempDir())
	p.write("schema/a.sql", "CREATE TABLE down_a (id int PRIMARY KEY, note text);\nCREATE VIEW down_notes AS SELECT note FROM down_a;\n")
	p.generate("a")
	p.must(0, "migrate", "apply")
	p.write("schema/a.sql", "CREATE TABLE down_a (id int PRIMARY KEY, note varchar(100), extra int);\nCREATE VIEW down_notes AS SELECT note FROM down_a;\nCREATE INDEX down_extra ON down_a (extra);\n")

	// copies is how many copies of live a --verbose run made.
	copies := func(r result) string {
		t.Helper()
		line := logLine(r.stderr, `msg="shadow closed"`)
		if line == "" {
			return "none (no shadow)"
		}
		_, n, _ := strings.Cut(line, "copies_of_live=")
		n, _, _ = strings.Cut(n, " ")
		return n
	}
	// generate proves its Down on the migration's copy, and makes as many
	// copies of live as without a Down section.
	generate := func(what, down, want string, extra ...string) {
		t.Helper()
		r := p.must(0, append([]string{"migrate", "generate", "--dry-run", "--verbose", "--no-cache", "--down", down}, extra...)...)
		if !strings.Contains(r.stdout, "-- +pg-flux Down") {
			t.Fatalf("%s: no Down section:\n%s", what, r)
		}
		if logLine(r.stderr, `msg="down proven on the migration's copy of live"`) == "" {
			t.Errorf("%s: the Down was not proven on the migration's copy of live:\n%s", what, r.stderr)
		}
		without := p.must(0, append([]string{"migrate", "generate", "--dry-run", "--verbose", "--no-cache", "--down", "none"}, extra...)...)
		if strings.Contains(without.stderr, "down proven") {
			t.Errorf("%s: --down none proves a Down:\n%s", what, without.stderr)
		}
		if n, none := copies(r), copies(without); n != none || n != want {
			t.Errorf("%s: generate made %s copies of live, %s with --down none; want %s:\n%s", what, n, none, want, r.stderr)
		}
	}
	// One copy: the one started while the source loads, on which the
	// migration and its Down are proven (the source's own database once
	// cancelled it, and a second was made).
	generate("inline", "inline", "1")
	// Both proofs are cached: an unchanged source does not open the shadow.
	if r := p.must(0, "migrate", "generate", "--dry-run", "--verbose"); logLine(r.stderr, `msg="down proven on the migration's copy of live"`) == "" {
		t.Errorf("first run with the cache:\n%s", r.stderr)
	}
	r := p.must(0, "migrate", "generate", "--dry-run", "--verbose")
	if logLine(r.stderr, `msg="down proven before"`) == "" || logLine(r.stderr, `msg="shadow closed"`) != "" {
		t.Errorf("an unchanged source proves the Down again:\n%s", r.stderr)
	}

	// On top of a pending file (the migration is proven after it).
	p.generate("b")
	p.write("schema/c.sql", "CREATE TABLE down_c (id int);\n")
	// Two: the pending file is replayed on one to plan on top of it.
	generate("pending, down file", "file", "2")

	// migrate rebase, regenerating the pending file that no longer
	// replays (live got the table meanwhile), proves its Down the same way.
	p.db.Exec(t, "CREATE TABLE down_c (id int, junk int)")
	r = p.must(0, "migrate", "rebase", "--dry-run", "--verbose")
	if !strings.Contains(r.stdout, "regenerated") || logLine(r.stderr, `msg="down proven on the migration's copy of live"`) == "" {
		t.Errorf("rebase:\n%s", r)
	}
}

// The hash memo (pipeline.hash) does not keep a model alive: the desired
// model the Down lets go (downSection) is collected although its hash was
// memoized.
func TestHashMemoLetsModelsGo(t *testing.T) {
	desired := model.New()
	p := &pipeline{Desired: desired}
	p.hash(desired)
	p.hash(desired)
	if len(p.hashes) != 1 {
		t.Fatalf("hashing a model twice memoized %d hashes, want 1", len(p.hashes))
	}
	gone := weak.Make(desired)
	desired = nil
	p.Desired = nil
	runtime.GC()
	if gone.Value() != nil {
		t.Error("a model let go by the pipeline is still reachable through its memoized hash")
	}
	runtime.KeepAlive(p) // the pipeline lives on, as in a command
}
