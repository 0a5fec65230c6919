package dump

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

func TestPartitionIndexName(t *testing.T) {
	q := func(n string) model.QName { return model.QName{Schema: "public", Name: n} }
	parent := q("m")
	m := model.New()
	m.Tables[parent] = &model.Table{Name: parent, PartitionBy: "RANGE (ts)"}
	m.Tables[q("m1")] = &model.Table{Name: q("m1"), PartitionOf: &parent}
	m.Tables[q("m1_x_idx")] = &model.Table{Name: q("m1_x_idx")}
	for _, c := range []struct {
		def, want string
		ok        bool
	}{
		{"CREATE INDEX m_v ON ONLY public.m USING btree (v)", "m1_v_idx", true},
		{"CREATE UNIQUE INDEX m_u ON ONLY public.m USING btree (ts, \"Odd\") INCLUDE (v)", "m1_ts_Odd_v_idx", true},
		{"CREATE INDEX m_vv ON ONLY public.m USING btree (v, v DESC)", "m1_v_v1_idx", true},
		{"CREATE INDEX m_l ON ONLY public.m USING btree (lower(w))", "", false},                                                      // named after the expression
		{"CREATE INDEX m_x ON ONLY public.m USING btree (x)", "", false},                                                             // taken: PostgreSQL numbers it
		{"CREATE INDEX m_long ON ONLY public.m USING btree (a234567890123456789012345678901234567890123456789012345678)", "", false}, // shortened
	} {
		got, ok := PartitionIndexName(m, &model.Index{Name: q("i"), Table: parent, Definition: c.def}, q("m1"))
		if got != c.want || ok != c.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", c.def, got, ok, c.want, c.ok)
		}
	}
}
