package plan

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

// The guard's predicates follow PostgreSQL's partition bounds: lists with
// NULL, ranges compared as rows up to the first MINVALUE or MAXVALUE.
func TestRepartitionBoundPredicate(t *testing.T) {
	cases := []struct {
		bound string
		keys  []string
		want  string
	}{
		{"FOR VALUES IN ('a', 'b, c')", []string{"kind"}, "((kind) IN ('a', 'b, c'))"},
		{"FOR VALUES IN (NULL, 'x')", []string{"kind"}, "((kind) IN ('x') OR (kind) IS NULL)"},
		{"FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", []string{"placed"},
			"((placed) IS NOT NULL AND ROW(placed) >= ROW('2024-01-01') AND ROW(placed) < ROW('2025-01-01'))"},
		{"FOR VALUES FROM (MINVALUE) TO ('m')", []string{"region"},
			"((region) IS NOT NULL AND true AND ROW(region) < ROW('m'))"},
		{"FOR VALUES FROM (1, MAXVALUE) TO (2, MINVALUE)", []string{"a", "b"},
			"((a) IS NOT NULL AND (b) IS NOT NULL AND ROW(a) > ROW(1) AND ROW(a) < ROW(2))"},
		{"FOR VALUES FROM (1, 5) TO (1, MAXVALUE)", []string{"a", "b"},
			"((a) IS NOT NULL AND (b) IS NOT NULL AND ROW(a, b) >= ROW(1, 5) AND ROW(a) <= ROW(1))"},
		{"FOR VALUES WITH (modulus 4, remainder 1)", []string{"id"}, "true"},
	}
	for _, c := range cases {
		got, ok := boundPredicate(c.bound, c.keys)
		if !ok || got != c.want {
			t.Errorf("boundPredicate(%q) = %q, %v; want %q", c.bound, got, ok, c.want)
		}
	}
	if keys, ok := partitionKeys("RANGE (lower(name), created_at)"); !ok || len(keys) != 2 || keys[0] != "lower(name)" {
		t.Errorf("partitionKeys = %q, %v", keys, ok)
	}
}

// A function's signature uses a recreated table's row type only where it
// names that type whole: alone, as an array, quoted; not a longer name.
func TestRepartitionMentionsType(t *testing.T) {
	cases := []struct {
		sig, typ string
		want     bool
	}{
		{"e public.ev", "public.ev", true},
		{"SETOF public.ev", "public.ev", true},
		{"es public.ev[], n integer", "public.ev", true},
		{"TABLE(a public.ev, b text)", "public.ev", true},
		{"e public.ev_log", "public.ev", false},
		{"e public.ev_log, f public.ev", "public.ev", true},
		{"e app.public.ev", "public.ev", false},
		{`e public."Ev"`, `public."Ev"`, true},
		{`e public."Ev""s"`, `public."Ev"`, false},
		{"e mypublic.ev", "public.ev", false},
		{"", "public.ev", false},
	}
	for _, c := range cases {
		if got := mentionsType(c.sig, c.typ); got != c.want {
			t.Errorf("mentionsType(%q, %q) = %v, want %v", c.sig, c.typ, got, c.want)
		}
	}
}

// A recreated table whose row type other objects store values of is
// refused, with those objects named, rather than planned to fail.
func TestRepartitionRefusesStoredRowType(t *testing.T) {
	ev := model.QName{Schema: "public", Name: "ev"}
	all := model.QName{Schema: "public", Name: "ev_all"}
	snap := model.QName{Schema: "public", Name: "snap"}
	pair := model.QName{Schema: "public", Name: "pair"}
	cols := func() []*model.Column {
		return []*model.Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "d", Type: "date", NotNull: true}}
	}
	build := func(partitioned bool) *model.Model {
		m := model.New()
		m.Schemas["public"] = &model.Schema{Name: "public"}
		m.Tables[ev] = &model.Table{Name: ev, Columns: cols()}
		if partitioned {
			m.Tables[ev].PartitionBy = "RANGE (d)"
			m.Tables[all] = &model.Table{Name: all, Columns: cols(), PartitionOf: &ev, Bound: "DEFAULT"}
		}
		m.Tables[snap] = &model.Table{Name: snap, Columns: []*model.Column{{Name: "e", Type: "public.ev[]"}}}
		m.Composites[pair] = &model.Composite{Name: pair, Attributes: []*model.Attribute{{Name: "a", Type: "public.ev"}}}
		return m
	}
	_, err := Build(build(false), build(true), Options{})
	if err == nil {
		t.Fatal("Build planned a recreate of public.ev, whose row type public.snap.e and public.pair store")
	}
	for _, want := range []string{"public.ev gets a new partition layout", "column public.snap.e", "attribute a of type public.pair"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
