package plan_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

func withDomain(m *model.Model, d *model.Domain) *model.Model {
	m.Domains[d.Name] = d
	return m
}

func TestDomainBaseTypeChangeInUseIsReported(t *testing.T) {
	users := table(pub("users"), cols(col("age", "public.years")))
	live := withDomain(newModel(users), &model.Domain{Name: pub("years"), Type: "integer"})
	desired := withDomain(newModel(users), &model.Domain{Name: pub("years"), Type: "bigint"})
	_, err := plan.Build(live, desired, plan.Options{})
	if err == nil {
		t.Fatal("Build succeeded; want an error naming the domain and its column")
	}
	for _, want := range []string{"domain public.years", "integer → bigint", "column public.users.age"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestUnusedDomainIsRecreated(t *testing.T) {
	live := withDomain(newModel(), &model.Domain{Name: pub("years"), Type: "integer"})
	desired := withDomain(newModel(), &model.Domain{Name: pub("years"), Type: "bigint"})
	p, err := plan.Build(live, desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.SQL)
	}
	want := []string{"DROP DOMAIN public.years;", "CREATE DOMAIN public.years AS bigint;"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPartitionKeyChangeIsReported(t *testing.T) {
	// A top-level table is recreated with its rows (repartition.go).
	l := table(pub("events"), cols(col("at", "date")))
	l.PartitionBy = "RANGE (at)"
	d := table(pub("events"), cols(col("at", "date")))
	d.PartitionBy = "LIST (at)"
	p, err := plan.Build(newModel(l), newModel(d), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.SQL)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"ALTER TABLE public.events SET SCHEMA pgflux_repartition;", "INSERT INTO public.events (at) SELECT at FROM pgflux_repartition.events;", "DROP TABLE pgflux_repartition.events;"} {
		if !strings.Contains(all, want) {
			t.Errorf("steps lack %q:\n%s", want, all)
		}
	}
	// A partition whose own layout changes is still refused.
	parent := table(pub("logs"), cols(col("at", "date")))
	parent.PartitionBy = "RANGE (at)"
	lp := table(pub("logs_2024"), cols(col("at", "date")))
	lp.PartitionOf, lp.Bound, lp.PartitionBy = &parent.Name, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", "RANGE (at)"
	dp := table(pub("logs_2024"), cols(col("at", "date")))
	dp.PartitionOf, dp.Bound, dp.PartitionBy = &parent.Name, lp.Bound, "LIST (at)"
	_, err = plan.Build(newModel(parent, lp), newModel(parent, dp), plan.Options{})
	if err == nil || !strings.Contains(err.Error(), "RANGE (at) → LIST (at)") {
		t.Fatalf("err = %v; want the partition's key change reported", err)
	}
}

// With partitions, the index is created the way pg_dump does: ON ONLY,
// each partition's index by its name, attached; a partition without one
// leaves it invalid.
func TestPartitionedIndexKeepsPartitionIndexNames(t *testing.T) {
	events := table(pub("events"), cols(col("at", "date")))
	events.PartitionBy = "RANGE (at)"
	e1 := table(pub("events_1"), cols(col("at", "date")))
	parent := pub("events")
	e1.PartitionOf, e1.Bound = &parent, "DEFAULT"
	m := newModel(events, e1, &model.Index{Name: pub("events_at"), Table: pub("events"),
		Definition: "CREATE INDEX events_at ON ONLY public.events USING btree (at)",
		Partitions: []model.PartitionIndex{{Table: pub("events_1"), Name: "events_1_custom"}}})
	p, err := plan.Build(model.New(), m, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		if strings.Contains(s.SQL, " INDEX ") {
			got = append(got, s.SQL)
		}
	}
	want := []string{
		"CREATE INDEX events_at ON ONLY public.events USING btree (at);",
		"CREATE INDEX events_1_custom ON public.events_1 USING btree (at);",
		"ALTER INDEX public.events_at ATTACH PARTITION public.events_1_custom;",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("index steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPartitionedIndexIsCreatedOnTheWholeTree(t *testing.T) {
	events := table(pub("events"), cols(col("at", "date")))
	events.PartitionBy = "RANGE (at)"
	m := newModel(events, &model.Index{Name: pub("events_at"), Table: pub("events"),
		Definition: "CREATE INDEX events_at ON ONLY public.events USING btree (at)"})
	p, err := plan.Build(model.New(), m, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range p.Steps {
		if strings.HasPrefix(s.SQL, "CREATE INDEX") {
			found = true
			if s.SQL != "CREATE INDEX events_at ON public.events USING btree (at);" {
				t.Errorf("index step %q: ON ONLY would leave the partitions unindexed", s.SQL)
			}
		}
	}
	if !found {
		t.Error("no CREATE INDEX step")
	}
}
