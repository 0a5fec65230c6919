package plan

import (
	"slices"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

func summaries(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Summary)
	}
	return out
}

// A column of a domain over another table's row type: the phases put the
// column before the domain; pg_depend puts the domain first.
func TestDependencyOrderCreates(t *testing.T) {
	places := model.QName{Schema: "public", Name: "places"}
	trips := model.QName{Schema: "public", Name: "trips"}
	dom := model.ID(model.KindDomain, model.QName{Schema: "public", Name: "place_ok"})
	desired := model.New()
	desired.Deps[dom] = []model.ObjectID{tableID(places)}
	desired.Deps[tableID(trips)] = []model.ObjectID{dom}
	steps := []orderedStep{
		{Step{Summary: "create table public.places", SQL: "CREATE TABLE public.places ()", Object: tableID(places)}, phaseCreateTables},
		{Step{Summary: "add column public.trips.start_at", SQL: "ALTER TABLE public.trips ADD COLUMN start_at public.place_ok", Object: columnID(trips, "start_at")}, phaseColumns},
		{Step{Summary: "create domain public.place_ok", SQL: "CREATE DOMAIN public.place_ok AS public.places", Object: dom}, phaseColumns},
		{Step{Summary: "grant", Object: tableID(places)}, phaseGrants},
	}
	got := summaries(dependencyOrder(model.New(), desired, steps))
	want := []string{"create table public.places", "create domain public.place_ok", "add column public.trips.start_at", "grant"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}

	// An order that already satisfies every dependency is kept as it is.
	steps[1], steps[2] = steps[2], steps[1]
	if got := summaries(dependencyOrder(model.New(), desired, steps)); !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}

// A domain whose CHECK calls a function: the domain is dropped before the
// function, whatever phase each was given.
func TestDependencyOrderDrops(t *testing.T) {
	fn := model.ObjectID{Kind: model.KindFunction, Schema: "public", Name: "is_even", Sub: "n integer"}
	dom := model.ID(model.KindDomain, model.QName{Schema: "public", Name: "even_int"})
	live := model.New()
	live.Deps[dom] = []model.ObjectID{fn}
	steps := []orderedStep{
		{Step{Summary: "drop function public.is_even(n integer)", Object: fn}, phaseDropFunctions},
		{Step{Summary: "drop domain public.even_int", Object: dom}, phaseDropTypes},
	}
	got := summaries(dependencyOrder(live, model.New(), steps))
	want := []string{"drop domain public.even_int", "drop function public.is_even(n integer)"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}

// Two objects that each need the other: the earlier step goes first and
// every step is still emitted once.
func TestDependencyOrderCycle(t *testing.T) {
	a := model.ID(model.KindDomain, model.QName{Schema: "public", Name: "a"})
	b := model.ID(model.KindDomain, model.QName{Schema: "public", Name: "b"})
	desired := model.New()
	desired.Deps[a] = []model.ObjectID{b}
	desired.Deps[b] = []model.ObjectID{a}
	steps := []orderedStep{
		{Step{Summary: "a", SQL: "CREATE DOMAIN public.a AS public.b", Object: a}, phaseEnums},
		{Step{Summary: "b", SQL: "CREATE DOMAIN public.b AS public.a", Object: b}, phaseEnums},
	}
	if got := summaries(dependencyOrder(model.New(), desired, steps)); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("order %q", got)
	}
}

// A change to an object that exists (CLUSTER ON an existing table) is not
// something its dependents wait for: the index it names, re-created in the
// same plan, stays before it.
func TestDependencyOrderAlterHoldsNothingBack(t *testing.T) {
	events := model.QName{Schema: "public", Name: "events"}
	idx := model.ID(model.KindIndex, model.QName{Schema: "public", Name: "events_at"})
	desired := model.New()
	desired.Deps[idx] = []model.ObjectID{tableID(events)}
	steps := []orderedStep{
		{Step{Summary: "create index public.events_at", SQL: "CREATE INDEX events_at ON public.events (at)", Object: idx}, phaseCreateIndexes},
		{Step{Summary: "cluster public.events on events_at", SQL: "ALTER TABLE public.events CLUSTER ON events_at", Object: tableID(events)}, phaseReplicaIdentity},
	}
	want := []string{"create index public.events_at", "cluster public.events on events_at"}
	if got := summaries(dependencyOrder(model.New(), desired, steps)); !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}
