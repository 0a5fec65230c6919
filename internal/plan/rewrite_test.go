package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// TestRewrite checks each safety rewrite on an existing table, and that new
// tables and the toggles leave steps alone.
func TestRewrite(t *testing.T) {
	users, events := pub("users"), pub("events")
	index := func(name, def string) *model.Index {
		return &model.Index{Name: pub(name), Table: events, Definition: def}
	}
	liveEvents := table(events, cols(col("id", "integer"), col("tenant_id", "integer"), col("note", "text")))
	wantEvents := table(events, cols(col("id", "integer"), col("tenant_id", "integer", func(c *model.Column) { c.NotNull = true }), col("note", "text")),
		&model.Constraint{Name: "id_positive", Type: model.Check, Definition: "CHECK ((id > 0))", Validated: true},
		&model.Constraint{Name: "events_tenant_fk", Type: model.ForeignKey, Definition: "FOREIGN KEY (tenant_id) REFERENCES public.users(id)", Validated: true, References: &users})
	live := newModel(table(users, cols(col("id", "integer"))), liveEvents,
		index("events_note_idx", "CREATE INDEX events_note_idx ON public.events USING btree (note)"),
		index("events_old_idx", "CREATE INDEX events_old_idx ON public.events USING btree (id)"))
	live.Stats[events] = model.TableStats{RelTuples: 50e6}
	desired := newModel(table(users, cols(col("id", "integer"))), wantEvents,
		index("events_note_idx", "CREATE INDEX events_note_idx ON public.events USING btree (lower(note))"),
		index("events_tenant_idx", "CREATE INDEX events_tenant_idx ON public.events USING btree (tenant_id)"),
		table(pub("fresh"), cols(col("id", "integer"))),
		&model.Index{Name: pub("fresh_idx"), Table: pub("fresh"), Definition: "CREATE INDEX fresh_idx ON public.fresh USING btree (id)"})

	build := func(opts plan.Options) []string {
		p, err := plan.Build(live, desired, opts)
		if err != nil {
			t.Fatal(err)
		}
		p = plan.Rewrite(p, live, desired, opts)
		var out []string
		for _, s := range p.Steps {
			line := s.SQL
			if s.Rewrite != "" {
				line += " -- " + s.Rewrite
				if !strings.HasSuffix(s.Summary, "[rewrite: "+s.Rewrite+"]") {
					t.Errorf("summary %q lacks the rewrite marker", s.Summary)
				}
			}
			out = append(out, line)
		}
		return out
	}
	// PostgreSQL 18: a NOT NULL constraint added NOT VALID, then validated.
	opts18 := plan.DefaultOptions()
	opts18.Major = 18
	if got18, want := strings.Join(build(opts18), "\n"),
		"ALTER TABLE public.events ADD CONSTRAINT events_tenant_id_not_null NOT NULL tenant_id NOT VALID; -- staged_set_not_null\n"+
			"ALTER TABLE public.events VALIDATE CONSTRAINT events_tenant_id_not_null; -- staged_set_not_null\n"; !strings.Contains(got18, want) {
		t.Errorf("on 18, want\n%s\nin\n%s", want, got18)
	}
	got := strings.Join(build(plan.DefaultOptions()), "\n")
	for _, want := range []string{
		"DROP INDEX CONCURRENTLY IF EXISTS public.events_old_idx; -- concurrent_drop_index",
		"ALTER TABLE public.events ADD CONSTRAINT tenant_id_not_null CHECK (tenant_id IS NOT NULL) NOT VALID; -- staged_set_not_null\n" +
			"ALTER TABLE public.events VALIDATE CONSTRAINT tenant_id_not_null; -- staged_set_not_null\n" +
			"ALTER TABLE public.events ALTER COLUMN tenant_id SET NOT NULL; -- staged_set_not_null\n" +
			"ALTER TABLE public.events DROP CONSTRAINT tenant_id_not_null; -- staged_set_not_null",
		"ALTER TABLE public.events ADD CONSTRAINT id_positive CHECK ((id > 0)) NOT VALID; -- not_valid_validate\n" +
			"ALTER TABLE public.events VALIDATE CONSTRAINT id_positive; -- not_valid_validate",
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS events_note_idx_new ON public.events USING btree (lower(note)); -- index_swap\n" +
			"DROP INDEX CONCURRENTLY IF EXISTS public.events_note_idx; -- index_swap\n" +
			"ALTER INDEX public.events_note_idx_new RENAME TO events_note_idx; -- index_swap",
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS events_tenant_idx ON public.events USING btree (tenant_id); -- concurrent_index",
		"CREATE INDEX fresh_idx ON public.fresh USING btree (id);\n",
		"ALTER TABLE public.events ADD CONSTRAINT events_tenant_fk FOREIGN KEY (tenant_id) REFERENCES public.users(id) NOT VALID; -- not_valid_validate\n" +
			"ALTER TABLE public.events VALIDATE CONSTRAINT events_tenant_fk; -- not_valid_validate",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks\n%s\n--- plan ---\n%s", want, got)
		}
	}
	if strings.Count(got, "DROP INDEX") != 2 {
		t.Errorf("the swapped index is dropped once, after its replacement:\n%s", got)
	}

	off := strings.Join(build(plan.Options{}), "\n")
	for _, unwanted := range []string{"NOT VALID", "tenant_id_not_null"} {
		if strings.Contains(off, unwanted) {
			t.Errorf("with the toggles off the plan has %q:\n%s", unwanted, off)
		}
	}
	if !strings.Contains(off, "CONCURRENTLY") {
		t.Errorf("index rewrites have no toggle:\n%s", off)
	}
}

// TestIndexSwapKeepsReplicaIdentity runs an index swap of a published
// table's replica identity index step by step: UPDATE and DELETE must work
// between any two steps, so the new index must be named the replica
// identity before the old one is dropped.
func TestIndexSwapKeepsReplicaIdentity(t *testing.T) {
	const before = `CREATE TABLE accounts (id bigint PRIMARY KEY, tenant int NOT NULL, email text NOT NULL);
CREATE UNIQUE INDEX accounts_login ON accounts (tenant, email);
ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_login;
CREATE PUBLICATION accounts_pub FOR TABLE accounts;
INSERT INTO accounts VALUES (1, 1, 'a@example.com');`
	const after = `CREATE TABLE accounts (id bigint PRIMARY KEY, tenant int NOT NULL, email text NOT NULL);
CREATE UNIQUE INDEX accounts_login ON accounts (email);
ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_login;
CREATE PUBLICATION accounts_pub FOR TABLE accounts;`
	ctx := context.Background()
	connA, connB := pgtest.NewDatabase(t).Connect(t), pgtest.NewDatabase(t).Connect(t)
	load(t, connA, before)
	load(t, connB, after)
	schemas := []string{"public"}
	live, desired := inspect(t, connA, schemas), inspect(t, connB, schemas)
	p, err := plan.Build(live, desired, plan.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	p = plan.Rewrite(p, live, desired, plan.DefaultOptions())
	if !strings.Contains(sqlOf(p), "RENAME TO accounts_login") {
		t.Fatalf("expected an index swap:\n%s", sqlOf(p))
	}
	for i, s := range p.Steps {
		if _, err := connA.Exec(ctx, s.SQL); err != nil {
			t.Fatalf("step %d failed: %v\n%s", i+1, err, s.SQL)
		}
		if _, err := connA.Exec(ctx, "UPDATE accounts SET tenant = tenant"); err != nil {
			t.Fatalf("UPDATE after step %d (%s) failed: %v\nplan:\n%s", i+1, s.SQL, err, sqlOf(p))
		}
	}
	assertConverged(t, connA, desired, schemas)
}
