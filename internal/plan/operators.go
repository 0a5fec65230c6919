package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Operators are dropped and created again for any change ALTER OPERATOR
// cannot make: on PostgreSQL 15 it sets only RESTRICT and JOIN. An
// operator whose function or operand type is dropped or recreated goes
// with it, and comes back after it; so do the indexes, constraints,
// defaults and views that use it (see depBroken and usesDroppedFunction).

// analyzeOperators runs after the functions are analysed.
func (b *builder) analyzeOperators() {
	for _, l := range b.live.SortedOperators() {
		if b.operatorGoes(l) {
			b.rt.droppedOps[l.Key()] = true
		}
	}
	b.analyzeOpClasses()
}

// operatorDropped reports whether a live operator (a KindOperator ID) is
// dropped. It is worked out on demand, since the objects that use an
// operator are analysed before analyzeOperators runs.
func (b *builder) operatorDropped(id model.ObjectID) bool {
	l := b.live.Operators[model.OperatorKey(id)]
	return l != nil && b.operatorGoes(l)
}

// operatorGoes reports whether a live operator is dropped: gone from
// desired, changed beyond what ALTER OPERATOR can do, or broken.
func (b *builder) operatorGoes(l *model.Operator) bool {
	d := b.desired.Operators[l.Key()]
	return d == nil || l.Function != d.Function || l.Commutator != d.Commutator || l.Negator != d.Negator ||
		l.Hashes != d.Hashes || l.Merges != d.Merges || b.depsBroken(l.ID())
}

// depsBroken reports whether something a live operator, operator class,
// family or rule depends on (functions, operators, types, relations) is
// dropped or recreated.
func (b *builder) depsBroken(id model.ObjectID) bool {
	for _, dep := range b.live.Deps[id] {
		if b.depBroken(dep) {
			return true
		}
		if id := (model.ObjectID{Kind: dep.Kind, Schema: dep.Schema, Name: dep.Name}); b.types().droppedTypes[id] || b.types().recreatedTypes[id] {
			return true
		}
	}
	return false
}

// emitOperators drops operators before the functions they use and creates
// them right after their functions (see createPhase), before the indexes,
// constraints and views that may use them. It runs after emitRoutines has
// placed the functions.
func (b *builder) emitOperators() {
	b.emitOpClassDrops()
	for _, l := range b.live.SortedOperators() {
		if b.rt.droppedOps[l.Key()] {
			b.add(b.opDropPhase(l.ID()), step("DROP OPERATOR "+l.Signature(), "drop operator "+l.Signature(), l.ID()))
		}
	}
	for _, d := range b.desired.SortedOperators() {
		l := b.live.Operators[d.Key()]
		fresh := l == nil || b.rt.droppedOps[d.Key()]
		if fresh {
			b.add(b.createPhase(d.ID()), createOperator(d))
		} else if set := operatorEstimators(l, d); set != "" {
			b.add(phaseOperators, step(fmt.Sprintf("ALTER OPERATOR %s SET (%s)", d.Signature(), set),
				"alter operator "+d.Signature(), d.ID()))
		}
		b.commentIfChanged(d.ID(), "OPERATOR "+d.Signature(), fresh, d.Comment, func() string { return l.Comment })
	}
	b.emitOpClassCreates()
}

// createPhase is where a created operator, operator class or family goes:
// with the functions (so in phaseFunctions, before the tables whose
// defaults, checks and exclusion constraints may use it) when what it uses
// is created there or not created by the plan, else in phaseOperators or
// after the latest of those. It records the phase for what uses it.
func (b *builder) createPhase(id model.ObjectID) phase {
	p := phaseFunctions
	for _, dep := range b.desired.Deps[id] {
		var dp phase
		var ok bool
		switch {
		case dep.Kind == model.KindFunction:
			dp, ok = b.rt.funcPhases[functionKey(dep)]
		case isOpKind(dep.Kind) && dep != id:
			dp, ok = b.rt.opPhases[dep]
		}
		if ok && dp > p {
			p = max(dp, phaseOperators)
		}
	}
	b.rt.opPhases[id] = p
	return p
}

// operatorEstimators is the SET list of ALTER OPERATOR for the estimators
// that differ; "" when none do.
func operatorEstimators(l, d *model.Operator) string {
	var set []string
	est := func(s string) string {
		if s == "" {
			return "NONE"
		}
		return s
	}
	if l.Restrict != d.Restrict {
		set = append(set, "RESTRICT = "+est(d.Restrict))
	}
	if l.Join != d.Join {
		set = append(set, "JOIN = "+est(d.Join))
	}
	return strings.Join(set, ", ")
}

func createOperator(o *model.Operator) Step {
	opts := []string{"FUNCTION = " + o.Function}
	if o.Left != "NONE" {
		opts = append(opts, "LEFTARG = "+o.Left)
	}
	opts = append(opts, "RIGHTARG = "+o.Right)
	for _, kv := range [][2]string{{"COMMUTATOR", o.Commutator}, {"NEGATOR", o.Negator}, {"RESTRICT", o.Restrict}, {"JOIN", o.Join}} {
		if kv[1] != "" {
			opts = append(opts, kv[0]+" = "+kv[1])
		}
	}
	if o.Hashes {
		opts = append(opts, "HASHES")
	}
	if o.Merges {
		opts = append(opts, "MERGES")
	}
	return step(fmt.Sprintf("CREATE OPERATOR %s.%s (%s)", model.QuoteIdent(o.Name.Schema), o.Name.Name, strings.Join(opts, ", ")),
		"create operator "+o.Signature(), o.ID())
}
