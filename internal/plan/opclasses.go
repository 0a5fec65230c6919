package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Operator classes and families are dropped and created again for any
// change but their comments, and when an operator, function or type they
// use goes; so are the indexes and exclusion constraints that use a class
// (see depBroken and usesDroppedFunction). A class whose family is the one
// of its own name is dropped with DROP OPERATOR FAMILY, which takes the
// class along: DROP OPERATOR CLASS would leave the family behind.

// opClassGoes reports whether a live operator class is dropped.
func (b *builder) opClassGoes(l *model.OpClass) bool {
	if b.opClassOwnGoes(l) {
		return true
	}
	f := b.live.OpFamilies[l.FamilyKey()]
	return f != nil && b.opFamilyOwnGoes(f)
}

func (b *builder) opClassOwnGoes(l *model.OpClass) bool {
	d := b.desired.OpClasses[l.Key()]
	return d == nil || l.Type != d.Type || l.Storage != d.Storage || l.Default != d.Default || l.Family != d.Family ||
		!slices.Equal(l.Members, d.Members) || b.depsBroken(l.ID())
}

// opFamilyGoes reports whether a live operator family is dropped; the
// implicit family of a class goes with the class.
func (b *builder) opFamilyGoes(l *model.OpFamily) bool {
	if b.opFamilyOwnGoes(l) {
		return true
	}
	c := b.live.OpClasses[l.Key()]
	return l.Implicit && c != nil && b.opClassOwnGoes(c)
}

func (b *builder) opFamilyOwnGoes(l *model.OpFamily) bool {
	d := b.desired.OpFamilies[l.Key()]
	return d == nil || l.Implicit != d.Implicit || !slices.Equal(l.Members, d.Members) || b.depsBroken(l.ID())
}

// opClassDropped and opFamilyDropped answer depBroken. A class's own
// implicit family is not reported (the class answers for it), which keeps
// the class → family dependency from going round in circles.
func (b *builder) opClassDropped(id model.ObjectID) bool {
	l := b.live.OpClasses[model.OpKey(id)]
	return l != nil && b.opClassGoes(l)
}

func (b *builder) opFamilyDropped(id model.ObjectID) bool {
	l := b.live.OpFamilies[model.OpKey(id)]
	return l != nil && !l.Implicit && b.opFamilyOwnGoes(l)
}

// analyzeOpClasses runs with analyzeOperators.
func (b *builder) analyzeOpClasses() {
	for _, l := range b.live.SortedOpClasses() {
		if b.opClassGoes(l) {
			b.rt.droppedOpcs[l.Key()] = true
			if l.Family == "" {
				b.rt.droppedOpfs[l.Key()] = true
			}
		}
	}
	for _, l := range b.live.SortedOpFamilies() {
		if b.opFamilyGoes(l) {
			b.rt.droppedOpfs[l.Key()] = true
		}
	}
}

// emitOpClassDrops runs before the operators are dropped.
func (b *builder) emitOpClassDrops() {
	done := map[string]bool{}
	dropFamily := func(key string, id model.ObjectID) {
		if !done[key] {
			done[key] = true
			b.add(b.opDropPhase(id), step("DROP OPERATOR FAMILY "+key, "drop operator family "+key, id))
		}
	}
	for _, l := range b.live.SortedOpClasses() {
		switch {
		case !b.rt.droppedOpcs[l.Key()]:
		case l.Family == "":
			dropFamily(l.Key(), l.ID())
		default:
			b.add(b.opDropPhase(l.ID()), step("DROP OPERATOR CLASS "+l.Key(), "drop operator class "+l.Key(), l.ID()))
		}
	}
	for _, l := range b.live.SortedOpFamilies() {
		if b.rt.droppedOpfs[l.Key()] && !l.Implicit {
			dropFamily(l.Key(), l.ID())
		}
	}
}

// emitOpClassCreates runs after the operators are created: families, then
// the classes, then what ALTER OPERATOR FAMILY ADD gives the families, each
// in the phase createPhase picks.
func (b *builder) emitOpClassCreates() {
	famFresh := func(d *model.OpFamily) bool {
		return b.live.OpFamilies[d.Key()] == nil || b.rt.droppedOpfs[d.Key()]
	}
	for _, d := range b.desired.SortedOpFamilies() {
		if !d.Implicit && famFresh(d) {
			b.add(phaseFunctions, step("CREATE OPERATOR FAMILY "+d.Key(), "create operator family "+d.Key(), d.ID()))
		}
	}
	for _, d := range b.desired.SortedOpClasses() {
		l := b.live.OpClasses[d.Key()]
		fresh := l == nil || b.rt.droppedOpcs[d.Key()]
		if fresh {
			b.add(b.createPhase(d.ID()), createOpClass(d))
		}
		b.commentIfChanged(d.ID(), "OPERATOR CLASS "+d.Key(), fresh, d.Comment, func() string { return l.Comment })
	}
	for _, d := range b.desired.SortedOpFamilies() {
		l := b.live.OpFamilies[d.Key()]
		fresh := famFresh(d)
		if fresh && len(d.Members) > 0 {
			// After the members' operators and functions, and after the
			// class whose implicit family it is.
			p := b.createPhase(d.ID())
			if cp, ok := b.rt.opPhases[(&model.OpClass{Name: d.Name, Method: d.Method}).ID()]; ok && d.Implicit {
				p = max(p, cp)
			}
			b.add(p, step(fmt.Sprintf("ALTER OPERATOR FAMILY %s ADD\n    %s", d.Key(), strings.Join(d.Members, ",\n    ")),
				"add to operator family "+d.Key(), d.ID()))
		}
		b.commentIfChanged(d.ID(), "OPERATOR FAMILY "+d.Key(), fresh, d.Comment, func() string { return l.Comment })
	}
}

func createOpClass(c *model.OpClass) Step {
	def := ""
	if c.Default {
		def = " DEFAULT"
	}
	fam := ""
	if c.Family != "" {
		fam = " FAMILY " + c.Family
	}
	items := append([]string(nil), c.Members...)
	switch {
	case c.Storage != "":
		items = append(items, "STORAGE "+c.Storage)
	case len(items) == 0:
		// All its members belong to the family (added after): AS needs an
		// item, and STORAGE of the class's own type is none.
		items = append(items, "STORAGE "+c.Type)
	}
	return step(fmt.Sprintf("CREATE OPERATOR CLASS %s.%s%s FOR TYPE %s USING %s%s AS\n    %s",
		model.QuoteIdent(c.Name.Schema), model.QuoteIdent(c.Name.Name), def, c.Type, c.Method, fam, strings.Join(items, ",\n    ")),
		"create operator class "+c.Key(), c.ID())
}
