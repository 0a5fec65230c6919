package hazard

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/source"
)

// Statements only PostgreSQL 18 parses are classified from their tokens:
// pg-flux's own forms precisely, anything else conservatively.
func TestClassifyUnparsed(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"ALTER TABLE ONLY public.events ADD CONSTRAINT events_t_nn NOT NULL tenant_id NOT VALID;\nALTER TABLE public.events VALIDATE CONSTRAINT events_t_nn;",
			"STAGED_SET_NOT_NULL: Rewrote SET NOT NULL on public.events.tenant_id to 2-step pattern|VALIDATE_CONSTRAINT_SCAN: " + msgValidateScan},
		{"ALTER TABLE events ADD COLUMN d int GENERATED ALWAYS AS (a * 2) VIRTUAL;", ""},
		{"ALTER TABLE events ADD COLUMN d int NOT NULL GENERATED ALWAYS AS (a * 2) VIRTUAL;",
			"TABLE_REWRITE: Cannot read ALTER TABLE public.events (PostgreSQL 18 syntax): review it; assumed to rewrite the table under ACCESS EXCLUSIVE lock"},
		{"ALTER TABLE events ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;",
			"TABLE_REWRITE: Cannot read ALTER TABLE public.events (PostgreSQL 18 syntax): review it; assumed to rewrite the table under ACCESS EXCLUSIVE lock"},
		{"ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey NOT ENFORCED;", ""},
		{"ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey ENFORCED;", "CONSTRAINT_SCAN: " + msgConstraintScan},
		{"ALTER TABLE public.orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE NOT ENFORCED;",
			"TABLE_REWRITE: Cannot read ALTER TABLE public.orders (PostgreSQL 18 syntax): review it; assumed to rewrite the table under ACCESS EXCLUSIVE lock"},
		{"CREATE TABLE s.n (a int, d int GENERATED ALWAYS AS (a) VIRTUAL);\nALTER TABLE s.n ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;", ""},
	} {
		stmts, err := source.SplitFor("m.sql", tc.sql, source.FallbackMajor)
		if err != nil {
			t.Fatal(err)
		}
		if !stmts[0].Unparsed {
			t.Fatalf("%q parsed", tc.sql)
		}
		fs, err := Classify(stmts, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, string(f.Kind)+": "+f.Message)
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, strings.Join(got, "|"), tc.want)
		}
	}
}
