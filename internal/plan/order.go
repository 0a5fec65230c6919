package plan

import "github.com/pg-flux/pg-flux/internal/model"

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
