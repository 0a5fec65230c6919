package catalog_test

import (
	"slices"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// PostgreSQL 18's virtual generated columns and NOT ENFORCED constraints
// are not modelled: Inspect lists them as unmodelled, and the virtual
// column's expression is not taken for a default.
func TestInspectListsPostgres18Unmodelled(t *testing.T) {
	if pgtest.Major() < 18 {
		t.Logf("gated: virtual generated columns and NOT ENFORCED are PostgreSQL 18; the server is %d", pgtest.Major())
		return
	}
	m := inspect(t, `CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);
ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT ENFORCED;`, "public")
	for _, want := range []string{"virtual generated column public.t.b", "NOT ENFORCED constraint t_a_positive on public.t"} {
		if !slices.Contains(m.Unmodelled, want) {
			t.Errorf("unmodelled %q missing: %v", want, m.Unmodelled)
		}
	}
	for _, c := range m.Tables[model.QName{Schema: "public", Name: "t"}].Columns {
		if c.Name == "b" && (c.Default != "" || c.Generated != "") {
			t.Errorf("virtual column read as default %q / generated %q", c.Default, c.Generated)
		}
	}
}
