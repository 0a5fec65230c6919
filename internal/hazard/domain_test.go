package hazard

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

func TestAlterDomain(t *testing.T) {
	live := model.New()
	orders := model.QName{Schema: "public", Name: "orders"}
	live.Tables[orders] = &model.Table{Name: orders, Constraints: map[string]*model.Constraint{}, Columns: []*model.Column{
		{Name: "id", Type: "bigint"},
		{Name: "email", Type: "public.email"},
		{Name: "cc", Type: "public.email[]"},
	}}
	cases := []struct {
		name string
		sql  []string
		nil  bool
		want []string
	}{
		{"check on a domain in use", []string{"ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%')"}, false,
			[]string{"[HAZARD CONSTRAINT_SCAN] Adding constraint to domain public.email scans the tables of column(s) public.orders.email, public.orders.cc"}},
		{"set not null on a domain in use", []string{"ALTER DOMAIN public.email SET NOT NULL"}, false,
			[]string{"[HAZARD CONSTRAINT_SCAN] Adding constraint to domain public.email scans the tables of column(s) public.orders.email, public.orders.cc"}},
		{"not valid check", []string{"ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%') NOT VALID"}, false, nil},
		{"unused domain", []string{"ALTER DOMAIN public.code ADD CONSTRAINT code_len CHECK (length(VALUE) = 3)"}, false, nil},
		{"domain created here", []string{"CREATE DOMAIN public.email AS text", "ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%')"}, false, nil},
		{"column dropped first", []string{"ALTER TABLE orders DROP COLUMN email", "ALTER TABLE orders DROP COLUMN cc", "ALTER DOMAIN email SET NOT NULL"}, false,
			[]string{"[HAZARD DATA_LOSS] Drops column public.orders.email", "[HAZARD DATA_LOSS] Drops column public.orders.cc"}},
		{"drop not null", []string{"ALTER DOMAIN email DROP NOT NULL"}, false, nil},
		{"without live context", []string{"ALTER DOMAIN email SET NOT NULL"}, true,
			[]string{"[HAZARD CONSTRAINT_SCAN] Adding constraint to domain public.email scans every table with a column of that type"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := live
			if tc.nil {
				l = nil
			}
			requireFindings(t, stmts(tc.sql...), l, tc.want)
		})
	}
}
