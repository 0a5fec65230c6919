package hazard

import (
	"testing"

	"github.com/pg-flux/pg-flux/internal/source"
)

func TestPolicyGap(t *testing.T) {
	stmts := func(sqls ...string) []source.Statement {
		out := make([]source.Statement, len(sqls))
		for i, s := range sqls {
			out[i] = source.Statement{File: "m.sql", Line: i + 1, SQL: s}
		}
		return out
	}
	cases := []struct {
		name  string
		stmts []source.Statement
		want  int // RLS_GAP findings
	}{
		{"drop then create on the same table", stmts(
			"DROP POLICY p ON public.docs", "CREATE POLICY p ON public.docs FOR UPDATE USING (true)"), 1},
		{"unqualified names resolve to public", stmts(
			"DROP POLICY p ON docs", "CREATE POLICY q ON public.docs USING (true)"), 1},
		{"once per table", stmts(
			"DROP POLICY p ON docs", "DROP POLICY q ON docs",
			"CREATE POLICY p ON docs USING (true)", "CREATE POLICY q ON docs USING (true)"), 1},
		{"other table", stmts(
			"DROP POLICY p ON app.docs", "CREATE POLICY p ON public.docs USING (true)"), 0},
		{"create before drop", stmts(
			"CREATE POLICY q ON docs USING (true)", "DROP POLICY p ON docs"), 0},
		{"alter policy has no gap", stmts(
			"ALTER POLICY p ON docs USING (false)"), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := Classify(c.stmts, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, f := range fs {
				if f.Kind == RLSGap {
					got++
					if want := "[HAZARD RLS_GAP] Brief window between DROP POLICY and CREATE POLICY where the table is unprotected"; f.String() != want {
						t.Errorf("message %q, want %q", f.String(), want)
					}
				}
			}
			if got != c.want {
				t.Errorf("%d RLS_GAP findings, want %d: %v", got, c.want, fs)
			}
		})
	}
}
