package plan

import (
	"container/heap"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Domains whose CHECK calls a function sit between functions and tables:
// created after the functions (in their phase, once they are emitted) and
// before the tables that use them; dropped after the columns that use them
// and before the functions they call (which then go late).

// domainCallsFunction reports whether a desired domain's constraints call a
// function (PostgreSQL records it in pg_depend).
func (b *builder) domainCallsFunction(id model.ObjectID) bool {
	if id.Kind != model.KindDomain {
		return false
	}
	for _, dep := range b.desired.Deps[id] {
		if dep.Kind == model.KindFunction {
			return true
		}
	}
	return false
}

// domainGoneBeforeFunctions reports whether a live domain that goes away
// calls a function the plan drops: the domain is dropped first.
func (b *builder) domainGoneBeforeFunctions(id model.ObjectID) bool {
	if id.Kind != model.KindDomain || b.desired.Domains[id.QName()] != nil {
		return false
	}
	for _, dep := range b.live.Deps[id] {
		if dep.Kind == model.KindFunction && b.functionDropped(dep) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- dependency order

// The phases give every plan a readable shape (drops, then types, tables,
// constraints, views, grants), but a fixed order of kinds cannot be right
// for every schema: a domain over a table's row type must come after that
// table and before the columns of its type, whatever the phases say.
// dependencyOrder therefore re-sorts the steps topologically over what
// PostgreSQL itself records in pg_depend: for steps that create or alter,
// the dependencies of the desired model (the shadow's catalog); for steps
// that drop, those of the live model. The phase order is the tie-break:
// among the steps whose prerequisites are done, the one that came first
// goes first, so a plan whose phase order already satisfies every
// dependency comes out unchanged.

// isDropPhase reports whether a phase drops objects (its steps follow the
// live model's dependencies, in reverse); the early security phase drops
// policies and publications.
func isDropPhase(p phase) bool {
	switch {
	case p >= phaseSecurityEarly && p <= phaseDropFunctionsLate:
		return true
	case p == phaseDropTypes, p == phaseDropBeforeExtensions, p == phaseDropExtensions, p == phaseDropSchemas:
		return true
	}
	return false
}

// orderedStep is one step with the phase that emitted it.
type orderedStep struct {
	Step
	phase phase
}

// stepDeps returns what the object a step changes depends on in m: its
// own pg_depend rows and, for a table or a column, those of its columns
// and of the table (a column's type is recorded on its table).
func stepDeps(m *model.Model, id model.ObjectID) []model.ObjectID {
	switch id.Kind {
	case model.KindSequence:
		// An owned sequence depends on its column (OWNED BY, set in its own
		// phase once the column exists); creating it needs nothing.
		return nil
	case model.KindColumn:
		t := model.ID(model.KindTable, id.QName())
		return append(append([]model.ObjectID{}, m.Deps[id]...), typeDeps(m.Deps[t])...)
	case model.KindOpFamily:
		// CREATE OPERATOR CLASS without FAMILY makes the family of the
		// same name: what is added to it waits for that class.
		if f := m.OpFamilies[model.OpKey(id)]; f != nil && f.Implicit {
			return append(append([]model.ObjectID{}, m.Deps[id]...), (&model.OpClass{Name: f.Name, Method: f.Method}).ID())
		}
	}
	return m.Deps[id]
}

// makesObject reports whether a step brings its object into being (creates
// it, or adds it to a table or type), so that what depends on the object
// waits for it. Other changes to an object that exists (CLUSTER ON, SET
// STATISTICS, a comment) hold nothing back: a dependent created after them
// would otherwise wait for a step that itself needs the dependent.
func makesObject(s Step) bool {
	return strings.HasPrefix(s.SQL, "CREATE ") || strings.Contains(s.SQL, " ADD ")
}

// typeDeps keeps the dependencies that are types (what a column's type
// needs): a table's other dependencies do not order its columns.
func typeDeps(deps []model.ObjectID) []model.ObjectID {
	var out []model.ObjectID
	for _, d := range deps {
		switch d.Kind {
		case model.KindDomain, model.KindComposite, model.KindEnum, model.KindRange, model.KindTable, model.KindCollation:
			out = append(out, d)
		}
	}
	return out
}

// isDrop reports whether a step of a drop phase drops its object (rather
// than revoking, detaching or altering on the way).
func isDrop(s Step) bool { return strings.HasPrefix(s.Summary, "drop ") }

// dependencyOrder sorts steps so that each create or alter step follows the
// first step of every object it depends on (desired), and each drop
// precedes the drops of the objects its object depends on (live). Steps
// stay in their given order wherever that is already right. A cycle (two
// objects each needing the other, as PostgreSQL never records but a
// partial model might) is broken by taking the earliest waiting step.
func dependencyOrder(live, desired *model.Model, steps []orderedStep) []Step {
	n := len(steps)
	first := map[model.ObjectID]int{}   // first create-side step of each object
	drops := map[model.ObjectID][]int{} // drop steps of each object
	for i, s := range steps {
		if isDropPhase(s.phase) {
			if isDrop(s.Step) {
				drops[s.Object] = append(drops[s.Object], i)
			}
			continue
		}
		// Owners, policies, grants and comments make nothing another
		// statement needs: they never hold a dependent back.
		if _, ok := first[s.Object]; !ok && !isDrop(s.Step) && s.phase < phaseOwners && makesObject(s.Step) {
			first[s.Object] = i
		}
	}
	after := make([][]int, n) // after[i]: steps that wait for i
	waits := make([]int, n)
	edge := func(from, to int) {
		if from == to {
			return
		}
		after[from] = append(after[from], to)
		waits[to]++
	}
	for i, s := range steps {
		if isDropPhase(s.phase) {
			if !isDrop(s.Step) {
				continue
			}
			for _, dep := range stepDeps(live, s.Object) {
				for _, j := range drops[dep] {
					edge(i, j) // the dependent goes first
				}
			}
			continue
		}
		if isDrop(s.Step) {
			// A drop among the creates (a policy dropped before its
			// table changes) needs nothing created first.
			continue
		}
		for _, dep := range stepDeps(desired, s.Object) {
			if j, ok := first[dep]; ok && steps[j].Object != s.Object {
				edge(j, i)
			}
		}
	}
	done := make([]bool, n)
	ready := &indexHeap{}
	for i := range steps {
		if waits[i] == 0 {
			heap.Push(ready, i)
		}
	}
	out := make([]Step, 0, n)
	next := 0 // lowest index not yet emitted, for breaking cycles
	for len(out) < n {
		var i int
		if ready.Len() > 0 {
			i = heap.Pop(ready).(int)
		} else {
			for done[next] {
				next++
			}
			i = next
		}
		if done[i] {
			continue
		}
		done[i] = true
		out = append(out, steps[i].Step)
		for _, j := range after[i] {
			if waits[j]--; waits[j] == 0 && !done[j] {
				heap.Push(ready, j)
			}
		}
	}
	return out
}

// indexHeap is a min-heap of step indexes.
type indexHeap []int

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *indexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
