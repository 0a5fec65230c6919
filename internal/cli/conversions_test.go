package cli

import (
	"strings"
	"testing"
)

// A type change PostgreSQL has no cast for is refused with what to write;
// stated with "-- @using", it is planned with that conversion and applied.
func TestTypeChangeWithoutCast(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE events (id int PRIMARY KEY, happened bigint); INSERT INTO events VALUES (1, 1700000000000)")
	p.write("schema/main.sql", "CREATE TABLE events (id int PRIMARY KEY, happened timestamptz);\n")
	r := p.must(1, "migrate", "generate", "--label", "retype")
	for _, want := range []string{
		"refusing to plan: PostgreSQL has no cast for these column type changes",
		"public.events.happened: bigint → timestamp with time zone",
		"-- @using",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("refusal does not say %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stderr, "pg-flux bug") {
		t.Errorf("refusal reads as a bug report:\n%s", r)
	}
	if len(p.migrations()) != 0 {
		t.Fatal("refused generate wrote a file")
	}

	p.write("schema/main.sql", "CREATE TABLE events (\n    id int PRIMARY KEY,\n    happened timestamptz -- @using to_timestamp(happened / 1000.0)\n);\n")
	p.must(0, "migrate", "generate", "--label", "retype")
	p.must(0, "migrate", "apply", "--allow-hazards=COLUMN_TYPE_CHANGE")
	if got := p.count("SELECT extract(epoch FROM happened)::bigint FROM events"); got != "1700000000" {
		t.Fatalf("converted value %s, want 1700000000", got)
	}

	// A hint on a column whose type does not change is not a change.
	p.write("schema/main.sql", "CREATE TABLE events (\n    id int PRIMARY KEY, -- @using 1\n    happened timestamptz -- @using to_timestamp(happened / 1000.0)\n);\n")
	if r := p.must(0, "migrate", "generate", "--dry-run"); !strings.Contains(r.stdout, "No changes") {
		t.Errorf("a hint with no type change planned something:\n%s", r)
	}
}
