package plan_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

func withComposite(m *model.Model, name string, attrs ...string) *model.Model {
	ct := &model.Composite{Name: pub(name)}
	for i := 0; i < len(attrs); i += 2 {
		ct.Attributes = append(ct.Attributes, &model.Attribute{Name: attrs[i], Type: attrs[i+1]})
	}
	m.Composites[ct.Name] = ct
	return m
}

func stepSQL(p *plan.Plan) string {
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.SQL)
	}
	return strings.Join(got, "\n")
}

// PostgreSQL cannot ALTER ATTRIBUTE … TYPE while a table column holds the
// composite type; the plan is refused up front, naming what to do.
func TestUsedCompositeAttributeRetypeIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, colType, column string
		extra                 func(*model.Model) *model.Model
	}{
		{"direct", "public.addr", "column public.cust.home", nil},
		{"array", "public.addr[]", "column public.cust.home", nil},
		{"nested", "public.wrap", "column public.cust.home", func(m *model.Model) *model.Model {
			return withComposite(m, "wrap", "a", "public.addr", "n", "integer")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cust := table(pub("cust"), cols(col("id", "integer"), col("home", tc.colType)))
			live := withComposite(newModel(cust), "addr", "street", "text", "zip", "character varying(5)")
			desired := withComposite(newModel(cust), "addr", "street", "text", "zip", "character varying(10)", "city", "text")
			if tc.extra != nil {
				live, desired = tc.extra(live), tc.extra(desired)
			}
			_, err := plan.Build(live, desired, plan.Options{})
			if err == nil {
				t.Fatal("Build succeeded; want an error naming the type, the attribute and the column")
			}
			for _, want := range []string{"type public.addr cannot be changed in place", "attribute zip changes type (character varying(5) → character varying(10))", tc.column, "move those columns to another type first"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestUsedCompositeAddAndDropAttributeIsPlanned(t *testing.T) {
	cust := table(pub("cust"), cols(col("id", "integer"), col("home", "public.addr[]")))
	live := withComposite(newModel(cust), "addr", "street", "text", "zip", "character varying(5)")
	desired := withComposite(newModel(cust), "addr", "street", "text", "city", "text")
	p, err := plan.Build(live, desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepSQL(p), "ALTER TYPE public.addr DROP ATTRIBUTE zip, ADD ATTRIBUTE city text;"; got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
}

func TestUnusedCompositeAttributeRetypeIsPlanned(t *testing.T) {
	// Used only by an attribute of a type no column holds: PostgreSQL allows it.
	live := withComposite(withComposite(newModel(), "addr", "zip", "character varying(5)"), "wrap", "a", "public.addr")
	desired := withComposite(withComposite(newModel(), "addr", "zip", "character varying(10)"), "wrap", "a", "public.addr")
	p, err := plan.Build(live, desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepSQL(p), "ALTER TYPE public.addr ALTER ATTRIBUTE zip TYPE character varying(10);"; got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
}

func pctDomain(check string, validated, notNull bool) *model.Domain {
	d := &model.Domain{Name: pub("pct"), Type: "integer", NotNull: notNull, Constraints: map[string]*model.Constraint{}}
	if check != "" {
		def := "CHECK (" + check + ")"
		if !validated {
			def += " NOT VALID"
		}
		d.Constraints["pct_check"] = &model.Constraint{Name: "pct_check", Type: model.Check, Definition: def, Validated: validated}
	}
	return d
}

// PostgreSQL cannot check values of a domain held in an array or a
// composite column: ADD CONSTRAINT, VALIDATE and SET NOT NULL are refused.
func TestUncheckableDomainChangeIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name        string
		colType     string
		extra       func(*model.Model) *model.Model
		live, want  *model.Domain
		change, col string
	}{
		{"check changes, array", "public.pct[]", nil,
			pctDomain("VALUE <= 100", true, false), pctDomain("VALUE <= 99", true, false),
			"constraint pct_check changes (CHECK (VALUE <= 100) → CHECK (VALUE <= 99))", "column public.s.arr"},
		{"check added, composite", "public.pair", func(m *model.Model) *model.Model {
			return withComposite(m, "pair", "a", "public.pct", "b", "public.pct")
		}, pctDomain("", true, false), pctDomain("VALUE <= 99", true, false),
			"constraint pct_check is added (CHECK (VALUE <= 99))", "column public.s.arr"},
		{"set not null, array of a sub-domain", "public.pct2[]", func(m *model.Model) *model.Model {
			return withDomain(m, &model.Domain{Name: pub("pct2"), Type: "public.pct"})
		}, pctDomain("", true, false), pctDomain("", true, true),
			"NOT NULL is set", "column public.s.arr"},
		{"validate, array", "public.pct[]", nil,
			pctDomain("VALUE <= 99", false, false), pctDomain("VALUE <= 99", true, false),
			"constraint pct_check is validated", "column public.s.arr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := table(pub("s"), cols(col("id", "integer"), col("arr", tc.colType)))
			live, desired := withDomain(newModel(s), tc.live), withDomain(newModel(s), tc.want)
			if tc.extra != nil {
				live, desired = tc.extra(live), tc.extra(desired)
			}
			_, err := plan.Build(live, desired, plan.Options{})
			if err == nil {
				t.Fatal("Build succeeded; want an error naming the domain and the column")
			}
			for _, want := range []string{"domain public.pct cannot be changed in place", tc.change, tc.col, "NOT VALID"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// What PostgreSQL can do is planned: a plain column of the domain is
// checked; NOT VALID, DROP CONSTRAINT and DROP NOT NULL check nothing.
func TestCheckableDomainChangeIsPlanned(t *testing.T) {
	for _, tc := range []struct {
		name, colType string
		live, want    *model.Domain
		steps         string
	}{
		{"plain column", "public.pct", pctDomain("VALUE <= 100", true, false), pctDomain("VALUE <= 99", true, false),
			"ALTER DOMAIN public.pct DROP CONSTRAINT pct_check;\nALTER DOMAIN public.pct ADD CONSTRAINT pct_check CHECK (VALUE <= 99);"},
		{"not valid, array", "public.pct[]", pctDomain("VALUE <= 100", true, false), pctDomain("VALUE <= 99", false, false),
			"ALTER DOMAIN public.pct DROP CONSTRAINT pct_check;\nALTER DOMAIN public.pct ADD CONSTRAINT pct_check CHECK (VALUE <= 99) NOT VALID;"},
		{"drop check and not null, array", "public.pct[]", pctDomain("VALUE <= 100", true, true), pctDomain("", true, false),
			"ALTER DOMAIN public.pct DROP CONSTRAINT pct_check;\nALTER DOMAIN public.pct DROP NOT NULL;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := table(pub("s"), cols(col("id", "integer"), col("arr", tc.colType)))
			p, err := plan.Build(withDomain(newModel(s), tc.live), withDomain(newModel(s), tc.want), plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := stepSQL(p); got != tc.steps {
				t.Errorf("steps:\n%s\nwant:\n%s", got, tc.steps)
			}
		})
	}
}
