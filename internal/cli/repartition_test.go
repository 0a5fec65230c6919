package cli

import (
	"strings"
	"testing"
)

// A table whose partition layout changes is recreated: these run the whole
// command line against a real PostgreSQL with rows in the table.

const repartLive = `CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  at date NOT NULL,
  note text,
  PRIMARY KEY (id, kind)
);
INSERT INTO events (kind, at, note) VALUES ('a', '2026-01-01', 'one'), ('b', '2026-01-02', 'two'), ('a', '2026-01-03', NULL);
ANALYZE events;`

const repartDesiredHead = `CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  at date NOT NULL,
  note text,
  PRIMARY KEY (id, kind)
) PARTITION BY LIST (kind);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
`

func TestRepartitionKeepsRows(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, repartLive)
	p.write("schema/main.sql", repartDesiredHead+"CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('b');\n")
	file := p.generate("partition_events")
	content := p.read(file)
	if want := "[HAZARD TABLE_REWRITE] Recreates table public.events with a new partition layout (3 rows): copies every row under ACCESS EXCLUSIVE lock"; !strings.Contains(content, want) {
		t.Fatalf("generated file lacks %q:\n%s", want, content)
	}
	before := p.count("SELECT string_agg(id || ':' || kind || ':' || at || ':' || coalesce(note, '-'), ',' ORDER BY id) FROM events")

	r := p.must(1, "migrate", "apply")
	if !strings.Contains(r.stderr, "--allow-hazards=TABLE_REWRITE") {
		t.Errorf("refusal does not say how to allow the recreate:\n%s", r)
	}
	p.must(0, "migrate", "apply", "--allow-hazards=TABLE_REWRITE")

	if got := p.count("SELECT relkind FROM pg_class WHERE oid = 'public.events'::regclass"); got != "p" {
		t.Errorf("events relkind = %s, want p (partitioned)", got)
	}
	if after := p.count("SELECT string_agg(id || ':' || kind || ':' || at || ':' || coalesce(note, '-'), ',' ORDER BY id) FROM events"); after != before {
		t.Errorf("rows after the recreate = %s, want %s", after, before)
	}
	if got := p.count("SELECT count(*) FROM events_a"); got != "2" {
		t.Errorf("events_a holds %s rows, want 2", got)
	}
	// The identity continues after the copied values.
	p.db.Exec(t, "INSERT INTO events (kind, at) VALUES ('b', '2026-02-01')")
	if got := p.count("SELECT max(id) FROM events"); got != "4" {
		t.Errorf("next identity value = %s, want 4", got)
	}
	if got := p.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgflux_repartition'"); got != "0" {
		t.Errorf("scratch schema left behind")
	}
	p.must(0, "drift", "--strict")
}

func TestRepartitionRowsOutsideNewLayout(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, repartLive+"\nINSERT INTO events (kind, at) VALUES ('c', '2026-03-01'), ('c', '2026-03-02');")
	p.write("schema/main.sql", repartDesiredHead+"CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('b');\n")
	// Refused at plan time against live with those rows.
	r := p.must(1, "migrate", "generate", "--label", "partition_events")
	if want := "table public.events, recreated with the new partition layout LIST (kind), holds 2 rows that no partition of it takes; key (kind) = (c), (c)"; !strings.Contains(r.stderr, want) {
		t.Errorf("refusal lacks %q:\n%s", want, r)
	}
	// Generated where the rows are not (say, a developer's database), the
	// migration's guard fails the apply where they are.
	p.db.Exec(t, "DELETE FROM events WHERE kind = 'c'")
	p.generate("partition_events")
	p.db.Exec(t, "INSERT INTO events (kind, at) VALUES ('c', '2026-03-01'), ('c', '2026-03-02')")

	// Exit 2: the apply failed (not a refusal), on its first step.
	r = p.must(2, "migrate", "apply", "--allow-hazards=TABLE_REWRITE")
	if want := `table public.events: 2 row(s) fit no partition of the new layout LIST (kind); first key (kind) = (c)`; !strings.Contains(r.stderr, want) {
		t.Errorf("apply error lacks %q:\n%s", want, r)
	}
	if !strings.Contains(r.stderr, "step 1 of") {
		t.Errorf("the guard is not the first step:\n%s", r)
	}
	if got := p.count("SELECT relkind::text || ':' || (SELECT count(*) FROM events) FROM pg_class WHERE oid = 'public.events'::regclass"); got != "r:5" {
		t.Errorf("live changed: relkind:rows = %s, want r:5", got)
	}
	if got := p.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgflux_repartition'"); got != "0" {
		t.Errorf("scratch schema left behind")
	}
	if n := p.count("SELECT count(*) FROM _pgflux.migrations"); n != "0" {
		t.Errorf("failed apply recorded %s ledger row(s)", n)
	}
}
