package plan_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// A foreign key's enforcement alone changes: in place on PostgreSQL 18
// where that is the lighter way, dropped and added again otherwise (the
// NOT ENFORCED ↔ enforced cases in testdata/cases/pg18_* run them).
func TestEnforcementChange(t *testing.T) {
	const def = "FOREIGN KEY (user_id) REFERENCES public.users(id)"
	models := func(enforced bool) *model.Model {
		key := fk("orders_user_id_fkey", def, users)
		if !enforced {
			key.Definition += " NOT ENFORCED"
			key.Validated = false
		}
		return newModel(table(users, cols(col("id", "integer")), pk("users_pkey", "PRIMARY KEY (id)")),
			table(orders, cols(col("user_id", "integer")), key))
	}
	const (
		alterOff = "ALTER TABLE public.orders ALTER CONSTRAINT orders_user_id_fkey NOT ENFORCED;"
		alterOn  = "ALTER TABLE public.orders ALTER CONSTRAINT orders_user_id_fkey ENFORCED;"
		drop     = "ALTER TABLE public.orders DROP CONSTRAINT orders_user_id_fkey;"
		addOff   = "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey " + def + " NOT ENFORCED;"
		addOn    = "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey " + def + ";"
		addNV    = "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey " + def + " NOT VALID;"
		validate = "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;"
	)
	for _, c := range []struct {
		name     string
		enforced bool // the desired side
		opts     plan.Options
		want     []string
	}{
		{"18: not enforced in place", false, plan.Options{Major: 18, AutoNotValid: true}, []string{alterOff}},
		{"17: no ALTER CONSTRAINT … ENFORCED", false, plan.Options{Major: 17, AutoNotValid: true}, []string{drop, addOff}},
		{"18: enforced through NOT VALID + VALIDATE", true, plan.Options{Major: 18, AutoNotValid: true}, []string{drop, addNV, validate}},
		{"18, --auto-not-valid=false: enforced in place", true, plan.Options{Major: 18}, []string{alterOn}},
	} {
		t.Run(c.name, func(t *testing.T) {
			live, desired := models(!c.enforced), models(c.enforced)
			p, err := plan.Build(live, desired, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			p = plan.Rewrite(p, live, desired, c.opts)
			var got []string
			for _, s := range p.Steps {
				got = append(got, s.SQL)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
