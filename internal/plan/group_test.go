package plan

import "testing"

// TestGroupEnd: a transaction is a run of InTransaction steps, or one
// step of another isolation alone.
func TestGroupEnd(t *testing.T) {
	steps := []Step{
		{Isolation: InTransaction}, {Isolation: InTransaction},
		{Isolation: NoTransaction},
		{Isolation: OwnTransaction},
		{Isolation: InTransaction},
	}
	var got [][2]int
	for start := 0; start < len(steps); {
		end := GroupEnd(steps, start)
		got = append(got, [2]int{start, end})
		start = end
	}
	want := [][2]int{{0, 2}, {2, 3}, {3, 4}, {4, 5}}
	if len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("groups %v, want %v", got, want)
		}
	}
}
