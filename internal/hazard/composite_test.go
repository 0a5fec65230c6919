package hazard

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

// compositeModel: public.addr used by a column directly, public.tag used
// as an array, public.part nested in public.whole used by a column,
// public.dom_inner under a domain used by a column, and an unused type.
func compositeModel() *model.Model {
	m := model.New()
	q := func(n string) model.QName { return model.QName{Schema: "public", Name: n} }
	comp := func(n string, attrs ...string) {
		ct := &model.Composite{Name: q(n)}
		for i := 0; i < len(attrs); i += 2 {
			ct.Attributes = append(ct.Attributes, &model.Attribute{Name: attrs[i], Type: attrs[i+1]})
		}
		m.Composites[q(n)] = ct
	}
	comp("addr", "street", "text", "city", "text")
	comp("tag", "k", "text", "v", "text")
	comp("part", "a", "integer", "b", "integer")
	comp("whole", "i", "public.part", "n", "text")
	comp("dom_inner", "x", "integer", "y", "integer")
	comp("unused", "x", "integer", "y", "integer")
	m.Domains[q("wrapped")] = &model.Domain{Name: q("wrapped"), Type: "public.dom_inner"}
	m.Tables[q("cust")] = &model.Table{Name: q("cust"), Columns: []*model.Column{
		{Name: "id", Type: "integer"},
		{Name: "home", Type: "public.addr"},
		{Name: "tags", Type: "public.tag[]"},
		{Name: "o", Type: "public.whole"},
		{Name: "w", Type: "public.wrapped"},
	}, Constraints: map[string]*model.Constraint{}}
	return m
}

func TestClassifyDropAttribute(t *testing.T) {
	cases := []struct {
		name string
		sql  []string
		nil  bool
		want []string
	}{
		{"used directly", []string{"ALTER TYPE public.addr DROP ATTRIBUTE city"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops attribute public.addr.city (used by public.cust.home)"}},
		{"used as an array", []string{"ALTER TYPE tag DROP ATTRIBUTE IF EXISTS v"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops attribute public.tag.v (used by public.cust.tags)"}},
		{"nested in a used composite", []string{"ALTER TYPE public.part DROP ATTRIBUTE b"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops attribute public.part.b (used by public.cust.o)"}},
		{"under a used domain", []string{"ALTER TYPE public.dom_inner DROP ATTRIBUTE y"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops attribute public.dom_inner.y (used by public.cust.w)"}},
		{"several in one statement", []string{"ALTER TYPE public.addr DROP ATTRIBUTE city, DROP ATTRIBUTE street, ADD ATTRIBUTE zip text"}, false,
			[]string{
				"[HAZARD DATA_LOSS] Drops attribute public.addr.city (used by public.cust.home)",
				"[HAZARD DATA_LOSS] Drops attribute public.addr.street (used by public.cust.home)",
			}},
		{"unused type", []string{"ALTER TYPE public.unused DROP ATTRIBUTE y"}, false, nil},
		{"column dropped first", []string{"ALTER TABLE cust DROP COLUMN home", "ALTER TYPE public.addr DROP ATTRIBUTE city"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops column public.cust.home"}},
		{"type created in the list", []string{"CREATE TYPE fresh AS (a int, b int)", "ALTER TYPE fresh DROP ATTRIBUTE b"}, false, nil},
		{"add attribute", []string{"ALTER TYPE public.addr ADD ATTRIBUTE zip text"}, false, nil},
		{"without live context", []string{"ALTER TYPE public.unused DROP ATTRIBUTE y"}, true,
			[]string{"[HAZARD DATA_LOSS] Drops attribute public.unused.y"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live := compositeModel()
			if tc.nil {
				live = nil
			}
			requireFindings(t, stmts(tc.sql...), live, tc.want)
		})
	}
}
