package hazard

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

// ALTER COLUMN … TYPE without ONLY retypes the column of every partition
// and inheritance child: dropping the old type afterwards leaves no user.
func TestDropTypeAfterParentRetype(t *testing.T) {
	live := model.New()
	q := func(n string) model.QName { return model.QName{Schema: "public", Name: n} }
	ev, ev0, ev00, kid := q("ev"), q("ev_0"), q("ev_0_0"), q("ev_kid")
	col := func() []*model.Column { return []*model.Column{{Name: "s", Type: "public.st_old"}} }
	live.Tables[ev] = &model.Table{Name: ev, Columns: col(), PartitionBy: "HASH (id)"}
	live.Tables[ev0] = &model.Table{Name: ev0, Columns: col(), PartitionOf: &ev, PartitionBy: "HASH (id)"}
	live.Tables[ev00] = &model.Table{Name: ev00, Columns: col(), PartitionOf: &ev0}
	live.Tables[kid] = &model.Table{Name: kid, Columns: col(), Inherits: []model.QName{ev0}}
	live.Enums[q("st_old")] = &model.Enum{Name: q("st_old"), Labels: []string{"a", "b"}}
	for name, tc := range map[string]struct {
		sql  string
		want string
	}{
		"recursing": {"ALTER TABLE public.ev ALTER COLUMN s TYPE public.st USING s::text::public.st", ""},
		"only":      {"ALTER TABLE ONLY public.ev_0 ALTER COLUMN s TYPE public.st USING s::text::public.st", "[HAZARD DATA_LOSS] Drops type public.st_old (used by public.ev.s, public.ev_0_0.s, public.ev_kid.s)"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Classify(stmts(tc.sql, "DROP TYPE public.st_old"), live)
			if err != nil {
				t.Fatal(err)
			}
			drop := ""
			for _, f := range got {
				if strings.Contains(f.String(), "Drops type") {
					drop = f.String()
				}
			}
			if drop != tc.want {
				t.Errorf("drop finding %q, want %q", drop, tc.want)
			}
		})
	}
}
