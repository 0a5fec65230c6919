package diff_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

func TestCompareRoutines(t *testing.T) {
	table := model.QName{Schema: "public", Name: "t"}
	fn := func(args, def string) *model.Function {
		return &model.Function{Name: model.QName{Schema: "public", Name: "f"}, Args: args, Kind: model.RoutineFunction,
			Arguments: args, Result: "integer", Definition: def}
	}
	live, desired := model.New(), model.New()
	for _, f := range []*model.Function{fn("x integer", "A"), fn("x text", "B")} {
		live.Functions[f.Key()] = f
	}
	for _, f := range []*model.Function{fn("x integer", "A2"), fn("x bigint", "C")} {
		desired.Functions[f.Key()] = f
	}
	lt := &model.Trigger{Table: table, Name: "tr", Definition: "CREATE TRIGGER tr", Enabled: "O"}
	dt := *lt
	dt.Enabled = "D"
	live.Triggers[lt.Key()], desired.Triggers[dt.Key()] = lt, &dt
	desired.EventTriggers["e"] = &model.EventTrigger{Name: "e", Event: "sql_drop", Function: model.QName{Schema: "public", Name: "f"}, Enabled: "O"}

	var got []string
	for _, c := range diff.Compare(live, desired) {
		got = append(got, c.String())
	}
	want := []string{
		"create function public.f(x bigint)",
		"alter function public.f(x integer) (definition: A → A2)",
		"drop function public.f(x text)",
		"alter trigger tr on public.t (enabled: enable → disable)",
		"create event trigger e",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Compare:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
