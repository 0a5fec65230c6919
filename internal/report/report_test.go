package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

func id(kind model.Kind, schema, name string) model.ObjectID {
	return model.ObjectID{Kind: kind, Schema: schema, Name: name}
}

func render(t *testing.T, fn func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := fn(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestVerifyTextSpec(t *testing.T) {
	changes := []diff.Change{
		{Op: diff.Create, Object: id(model.KindTable, "public", "orders")},
		{Op: diff.Drop, Object: id(model.KindIndex, "public", "idx_emergency_perf")},
	}
	got := render(t, func(b *bytes.Buffer) error { return VerifyText(b, Undeclared(changes), nil, "./schema") })
	want := "verify: 1 undeclared live object(s):\n" +
		"\n" +
		"Indexes (1):\n" +
		"- public.idx_emergency_perf\n" +
		"\n" +
		"Run `pg-flux pull` to capture these into schema/_pulled/<ts>.sql for review.\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	got = render(t, func(b *bytes.Buffer) error { return VerifyText(b, Undeclared(changes[:1]), nil, "./schema") })
	if want := "verify: clean — every live object is declared in source.\n"; got != want {
		t.Errorf("clean: got %q, want %q", got, want)
	}
}

func TestVerifyTextGroups(t *testing.T) {
	col := id(model.KindColumn, "public", "users")
	col.Sub = "nickname"
	con := id(model.KindConstraint, "public", "users")
	con.Sub = "users_age_check"
	changes := []diff.Change{
		{Op: diff.Drop, Object: id(model.KindIndex, "public", "b_idx")},
		{Op: diff.Drop, Object: id(model.KindSchema, "", "Audit")},
		{Op: diff.Drop, Object: id(model.KindIndex, "public", "a_idx")},
		{Op: diff.Drop, Object: col},
		{Op: diff.Drop, Object: id(model.KindTable, "public", "scratch")},
		{Op: diff.Drop, Object: con},
		{Op: diff.Drop, Object: id(model.KindEnum, "public", "mood")},
		{Op: diff.Alter, Object: id(model.KindView, "public", "v")},
	}
	got := render(t, func(b *bytes.Buffer) error { return VerifyText(b, Undeclared(changes), nil, "db/schema") })
	want := `verify: 7 undeclared live object(s):

Tables (1):
- public.scratch

Columns (1):
- public.users.nickname

Constraints (1):
- users_age_check on public.users

Indexes (2):
- public.a_idx
- public.b_idx

Types (1):
- public.mood

Schemas (1):
- "Audit"

Run ` + "`pg-flux pull`" + ` to capture these into db/schema/_pulled/<ts>.sql for review.
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestVerifyJSON(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error {
		return VerifyJSON(b, []diff.Change{{Op: diff.Drop, Object: id(model.KindIndex, "public", "idx_emergency_perf")}}, nil)
	})
	var v struct {
		Clean      bool
		Undeclared []map[string]string
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
	if v.Clean || len(v.Undeclared) != 1 || v.Undeclared[0]["kind"] != "index" || v.Undeclared[0]["object"] != "public.idx_emergency_perf" {
		t.Errorf("unexpected JSON %s", got)
	}
}

func TestDriftText(t *testing.T) {
	col := id(model.KindColumn, "public", "users")
	col.Sub = "email"
	changes := []diff.Change{
		{Op: diff.Create, Object: id(model.KindTable, "public", "orders")},
		{Op: diff.Drop, Object: id(model.KindIndex, "public", "idx_emergency_perf")},
		{Op: diff.Alter, Object: col, Details: []string{"type: text → character varying(255)"}},
		{Op: diff.Alter, Object: id(model.KindView, "public", "totals"), Details: []string{"definition differs", "comment: (none) → 'sums'"}},
	}
	got := render(t, func(b *bytes.Buffer) error { return DriftText(b, changes) })
	want := `drift: 4 difference(s) between source and live:
+ table public.orders (missing in live)
- index public.idx_emergency_perf (not in source)
~ column public.users.email: type: text → character varying(255)
~ view public.totals: definition differs; comment: (none) → 'sums'
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := render(t, func(b *bytes.Buffer) error { return DriftText(b, nil) }); got != "drift: clean — live matches source.\n" {
		t.Errorf("clean: %q", got)
	}
}

func TestDriftJSON(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error {
		return DriftJSON(b, []diff.Change{{Op: diff.Drop, Object: id(model.KindIndex, "public", "idx")}})
	})
	var v struct {
		Clean       bool
		Differences []struct {
			Op, Kind, Object string
			Details          []string
		}
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
	if v.Clean || len(v.Differences) != 1 || v.Differences[0].Op != "drop" || v.Differences[0].Object != "public.idx" || v.Differences[0].Details == nil {
		t.Errorf("unexpected JSON %s", got)
	}
	if got := render(t, func(b *bytes.Buffer) error { return DriftJSON(b, nil) }); !strings.Contains(got, `"differences": []`) {
		t.Errorf("empty drift JSON must have an empty list: %s", got)
	}
}

func samplePlan() Plan {
	col := id(model.KindColumn, "public", "users")
	col.Sub = "legacy_phone"
	return Plan{
		Steps: []plan.Step{
			{SQL: "ALTER TABLE public.users DROP COLUMN legacy_phone;", Summary: "drop column public.users.legacy_phone", Object: col},
			{SQL: "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (email);", Summary: "create index public.users_email_idx",
				Object: id(model.KindIndex, "public", "users_email_idx"), Isolation: plan.NoTransaction},
		},
		Findings: []hazard.Finding{{Kind: hazard.DataLoss, Message: "Drops column public.users.legacy_phone", Statement: 0}},
		Baseline: "sha256:aaa",
		Result:   "sha256:bbb",
	}
}

func TestPlanText(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error { return PlanText(b, samplePlan()) })
	want := `Plan: 2 statements

Hazards:
  [HAZARD DATA_LOSS] Drops column public.users.legacy_phone

-- 1. drop column public.users.legacy_phone
ALTER TABLE public.users DROP COLUMN legacy_phone;

-- 2. create index public.users_email_idx (runs outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (email);
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := render(t, func(b *bytes.Buffer) error { return PlanText(b, Plan{}) }); got != "No changes: live matches source.\n" {
		t.Errorf("empty plan: %q", got)
	}
}

func TestPlanSQL(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error { return PlanSQL(b, samplePlan()) })
	want := "ALTER TABLE public.users DROP COLUMN legacy_phone;\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (email);\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPlanJSON(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error { return PlanJSON(b, samplePlan()) })
	var v struct {
		Statements []struct{ SQL, Summary, Object string }
		Hazards    []struct {
			Kind, Message string
			Blocking      bool
		}
		Baseline, Result string
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Statements) != 2 || v.Statements[0].Object != "column public.users.legacy_phone" || v.Statements[1].Summary != "create index public.users_email_idx" {
		t.Errorf("statements: %+v", v.Statements)
	}
	if len(v.Hazards) != 1 || v.Hazards[0].Kind != "DATA_LOSS" || !v.Hazards[0].Blocking || v.Hazards[0].Message != "Drops column public.users.legacy_phone" {
		t.Errorf("hazards: %+v", v.Hazards)
	}
	if v.Baseline != "sha256:aaa" || v.Result != "sha256:bbb" {
		t.Errorf("hashes: %q %q", v.Baseline, v.Result)
	}
	empty := render(t, func(b *bytes.Buffer) error { return PlanJSON(b, Plan{}) })
	if !strings.Contains(empty, `"statements": []`) || !strings.Contains(empty, `"hazards": []`) {
		t.Errorf("empty plan JSON must have empty lists: %s", empty)
	}
}

func TestPullFile(t *testing.T) {
	at := time.Date(2026, 5, 20, 10, 32, 45, 0, time.UTC)
	got := render(t, func(b *bytes.Buffer) error {
		return PullFile(b, []Pulled{{
			Object: id(model.KindIndex, "public", "idx_emergency_perf"),
			SQL:    []string{"CREATE INDEX idx_emergency_perf ON public.users USING btree (last_login)"},
		}}, at, "./schema")
	})
	want := `-- pg-flux pull, 2026-05-20 10:32:45 UTC
-- Objects in the live database that no file under schema/ declares.
-- Review each statement, move it into the appropriate file under schema/,
-- commit, and delete this file.

-- index public.idx_emergency_perf
CREATE INDEX idx_emergency_perf ON public.users USING btree (last_login);
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPullWritten(t *testing.T) {
	cases := map[string]string{
		"schema/_pulled/20260520_103245_pulled.sql":   "Wrote 1 object(s) to ./schema/_pulled/20260520_103245_pulled.sql\n",
		"./schema/_pulled/20260520_103245_pulled.sql": "Wrote 1 object(s) to ./schema/_pulled/20260520_103245_pulled.sql\n",
		"/tmp/p/20260520_103245_pulled.sql":           "Wrote 1 object(s) to /tmp/p/20260520_103245_pulled.sql\n",
	}
	for path, want := range cases {
		if got := render(t, func(b *bytes.Buffer) error { return PullWritten(b, 1, path) }); got != want {
			t.Errorf("PullWritten(%q) = %q, want %q", path, got, want)
		}
	}
	if NothingToPull != "pull: nothing to pull — every live object is declared in source." {
		t.Errorf("NothingToPull = %q", NothingToPull)
	}
}

func TestCountNoun(t *testing.T) {
	if CountNoun(1, "statement") != "1 statement" || CountNoun(3, "statement") != "3 statements" || CountNoun(0, "statement") != "0 statements" {
		t.Error("CountNoun")
	}
}

func TestVerifyTextUnmodelled(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error {
		return VerifyText(b, nil, []string{"cast (public.posint AS text)", "operator class public.rev_ops USING btree"}, "./schema")
	})
	want := "verify: 2 live object(s) of kinds pg-flux does not model (source cannot declare them; plans and dumps leave them out):\n" +
		"- cast (public.posint AS text)\n" +
		"- operator class public.rev_ops USING btree\n" +
		"\n" + UnmodelledHint + "\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	got = render(t, func(b *bytes.Buffer) error { return VerifyJSON(b, nil, []string{"rule r on public.t"}) })
	var v struct {
		Clean      bool
		Unmodelled []string
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
	if v.Clean || len(v.Unmodelled) != 1 || v.Unmodelled[0] != "rule r on public.t" {
		t.Errorf("unexpected JSON %s", got)
	}
}
