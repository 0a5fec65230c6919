package catalog_test

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// PostgreSQL 18's virtual generated columns and NOT ENFORCED constraints
// are modelled: the virtual column's expression is its generation (not a
// default), the constraint's definition says NOT ENFORCED, nothing is
// unmodelled; a NOT VALID NOT NULL constraint does not make the column
// NOT NULL until validated.
func TestInspectPostgres18(t *testing.T) {
	if pgtest.Major() < 18 {
		t.Logf("gated: virtual generated columns and NOT ENFORCED are PostgreSQL 18; the server is %d", pgtest.Major())
		return
	}
	m := inspect(t, `CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL, c int);
ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT ENFORCED;
ALTER TABLE t ADD CONSTRAINT t_c_nn NOT NULL c NOT VALID;`, "public")
	if len(m.Unmodelled) > 0 {
		t.Errorf("unmodelled: %v", m.Unmodelled)
	}
	tab := m.Tables[model.QName{Schema: "public", Name: "t"}]
	b, c := tab.Column("b"), tab.Column("c")
	if b.Default != "" || b.Generated != "(a * 2)" || !b.Virtual {
		t.Errorf("virtual column read as default %q / generated %q virtual %v", b.Default, b.Generated, b.Virtual)
	}
	if c.NotNull {
		t.Error("a NOT VALID NOT NULL constraint read as NOT NULL")
	}
	if con := tab.Constraints["t_a_positive"]; con == nil || con.Definition != "CHECK ((a > 0)) NOT ENFORCED" {
		t.Errorf("NOT ENFORCED constraint: %+v", con)
	}
}
