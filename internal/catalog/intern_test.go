package catalog_test

import (
	"testing"
	"unsafe"

	"github.com/pg-flux/pg-flux/internal/model"
)

// TestInspectSharesRepeatedNames: a name or type read in many rows is kept
// once in the model, and each dependency list takes the room it holds: a
// command holds several models of a large schema at once.
func TestInspectSharesRepeatedNames(t *testing.T) {
	m := inspect(t, `CREATE TABLE shared_a (id integer PRIMARY KEY, note text);
CREATE TABLE shared_b (id integer PRIMARY KEY, note text, a_id integer REFERENCES shared_a (id));
CREATE INDEX ON shared_b (note, a_id);
CREATE VIEW shared_v AS SELECT a.id, a.note, b.note AS b_note FROM shared_a a JOIN shared_b b ON b.a_id = a.id;`, "public")
	a := m.Tables[model.QName{Schema: "public", Name: "shared_a"}]
	b := m.Tables[model.QName{Schema: "public", Name: "shared_b"}]
	if a == nil || b == nil || len(a.Columns) < 2 || len(b.Columns) < 2 {
		t.Fatalf("tables not read: %v %v", a, b)
	}
	for i, what := range []string{"name", "type"} {
		x, y := a.Columns[0].Name, b.Columns[0].Name
		if i == 1 {
			x, y = a.Columns[0].Type, b.Columns[0].Type
		}
		if x != y || unsafe.StringData(x) != unsafe.StringData(y) {
			t.Errorf("column %s %q of two tables is two copies", what, x)
		}
	}
	if len(m.Deps) == 0 {
		t.Fatal("no dependencies read")
	}
	for id, deps := range m.Deps {
		if cap(deps) != len(deps) {
			t.Errorf("dependencies of %v: %d held in room for %d", id, len(deps), cap(deps))
		}
	}
}
