package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Classic table inheritance (INHERITS). PostgreSQL propagates a parent's
// column adds, drops and type changes to its children, so the plan leaves
// those to the parent. A column only the parents declare (attislocal false)
// can come about only through CREATE TABLE … INHERITS or a parent's ADD
// COLUMN; nothing turns a column the table declares itself back into one,
// and ALTER TABLE … INHERIT merges the table's own columns: the analysis
// reports such changes instead of planning what would not converge.

// inheritState is what analysis decided about inheritance parents.
type inheritState struct {
	removed map[model.QName][]model.QName // live table → parents it stops inheriting (NO INHERIT)
	added   map[model.QName][]model.QName // live table → parents it starts inheriting (INHERIT)
	err     error
}

// keptParents are the parents a table inherits on both sides.
func keptParents(l, d *model.Table) []model.QName {
	var out []model.QName
	for _, p := range l.Inherits {
		if slices.Contains(d.Inherits, p) {
			out = append(out, p)
		}
	}
	return out
}

// inheritedFromKept reports whether a live column comes (also) from a parent
// the table keeps: its adds, drops and type changes are the parent's.
func (b *builder) inheritedFromKept(l, d *model.Table, column string) bool {
	for _, p := range keptParents(l, d) {
		if pt := b.live.Tables[p]; pt != nil && pt.Column(column) != nil {
			return true
		}
	}
	return false
}

// addedByKeptParent reports whether a kept parent gets the column added:
// PostgreSQL adds it to the table too.
func (b *builder) addedByKeptParent(l, d *model.Table, column string) bool {
	for _, p := range keptParents(l, d) {
		lp, dp := b.live.Tables[p], b.desired.Tables[p]
		if lp != nil && dp != nil && lp.Column(column) == nil && dp.Column(column) != nil {
			return true
		}
	}
	return false
}

func (b *builder) analyzeInheritance() {
	is := &inheritState{removed: map[model.QName][]model.QName{}, added: map[model.QName][]model.QName{}}
	b.inh = is
	fail := func(format string, args ...any) {
		if is.err == nil {
			is.err = fmt.Errorf("plan: "+format, args...)
		}
	}
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		if d == nil || l.PartitionOf != nil || d.PartitionOf != nil {
			continue
		}
		kept := keptParents(l, d)
		for _, p := range l.Inherits {
			if !slices.Contains(d.Inherits, p) {
				is.removed[l.Name] = append(is.removed[l.Name], p)
			}
		}
		order := kept
		for _, p := range d.Inherits {
			if !slices.Contains(l.Inherits, p) {
				is.added[l.Name] = append(is.added[l.Name], p)
				order = append(order, p)
			}
		}
		if !slices.Equal(order, d.Inherits) {
			fail("table %s inherits from %s in the database and from %s in the source; PostgreSQL cannot reorder parents (INHERIT appends): recreate the table, or keep the order",
				l.Name, parentNames(l.Inherits), parentNames(d.Inherits))
		}
		for _, p := range is.added[l.Name] {
			if dp := b.desired.Tables[p]; dp != nil {
				for _, c := range dp.SortedConstraints() {
					if inheritedCheck(c) && d.Constraints[c.Name] == nil {
						fail("table %s starts inheriting %s, whose CHECK constraint %s it does not declare itself; ALTER TABLE … INHERIT requires the table to have it, which would make it the table's own: declare the constraint in the table too, or recreate the table",
							l.Name, p, model.QuoteIdent(c.Name))
					}
				}
			}
		}
		for _, lc := range l.Columns {
			k := colKey{l.Name, lc.Name}
			if !b.inheritedFromKept(l, d, lc.Name) {
				continue
			}
			// The parent drops or retypes it, and the change reaches here.
			delete(b.droppedCols, k)
			delete(b.retypedCols, k)
		}
		for _, dc := range d.Columns {
			lc := l.Column(dc.Name)
			switch {
			case lc == nil:
				if dc.Inherited && !b.addedByKeptParent(l, d, dc.Name) {
					fail("column %s.%s is only inherited in the source, but adding it to the existing table %s declares it there; PostgreSQL cannot undo that: declare the column in the table too, or recreate the table",
						l.Name, model.QuoteIdent(dc.Name), l.Name)
				}
			case dc.Inherited && !lc.Inherited:
				fail("column %s.%s is declared by the table itself in the database and only inherited in the source; PostgreSQL cannot undo a column's own declaration: declare the column in the table too, or recreate the table",
					l.Name, model.QuoteIdent(dc.Name))
			case !dc.Inherited && lc.Inherited && b.inheritedFromKept(l, d, dc.Name):
				fail("column %s.%s is only inherited in the database and declared by the table itself in the source; PostgreSQL cannot add a declaration to an inherited column: drop it from the table's CREATE TABLE, or recreate the table",
					l.Name, model.QuoteIdent(dc.Name))
			}
		}
	}
}

func parentNames(ps []model.QName) string {
	if len(ps) == 0 {
		return "no table"
	}
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.String()
	}
	return s
}

// emitInheritance detaches a table from parents it leaves before columns
// and tables are dropped (a dropped parent has to lose its children first),
// and attaches it to new parents once both have their columns and CHECK
// constraints (INHERIT requires the parent's).
func (b *builder) emitInheritance() {
	for _, name := range sortedKeys(b.inh.removed) {
		l, d := b.live.Tables[name], b.desired.Tables[name]
		for _, p := range b.inh.removed[name] {
			b.add(phaseDropConstraints, step(fmt.Sprintf("ALTER TABLE %s NO INHERIT %s", name, p),
				"stop inheriting "+p.String()+" in table "+name.String(), tableID(name)))
		}
		// Inherited CHECK constraints stay behind as the table's own.
		for _, p := range b.inh.removed[name] {
			for _, c := range b.live.Tables[p].SortedConstraints() {
				if inheritedCheck(c) && d.Constraints[c.Name] == nil && l.Constraints[c.Name] == nil && !b.keptParentHas(l, d, c.Name) {
					b.add(phaseDropConstraints, dropConstraint(name, c.Name))
				}
			}
		}
	}
	for _, name := range sortedKeys(b.inh.added) {
		for _, p := range b.inh.added[name] {
			b.add(phaseCreateIndexes, step(fmt.Sprintf("ALTER TABLE %s INHERIT %s", name, p),
				"inherit "+p.String()+" in table "+name.String(), tableID(name)))
		}
	}
}

// inheritedCheck reports whether children inherit a constraint.
func inheritedCheck(c *model.Constraint) bool {
	return c.Type == model.Check && !strings.Contains(c.Definition, " NO INHERIT")
}

// keptParentHas reports whether a parent the table keeps has the constraint.
func (b *builder) keptParentHas(l, d *model.Table, constraint string) bool {
	for _, p := range keptParents(l, d) {
		if pt := b.live.Tables[p]; pt != nil && pt.Constraints[constraint] != nil {
			return true
		}
	}
	return false
}

// inheritedColumnSteps give a new table's inherited-only columns the NOT
// NULL and default they have apart from their parents': CREATE TABLE
// cannot, since declaring the column would make it the table's own.
func (b *builder) inheritedColumnSteps(t *model.Table) []Step {
	var out []Step
	for _, c := range t.Columns {
		if !c.Inherited {
			continue
		}
		notNull, def, found := false, "", false
		for _, p := range t.Inherits {
			pt := b.desired.Tables[p]
			if pt == nil {
				continue
			}
			if pc := pt.Column(c.Name); pc != nil {
				notNull = notNull || pc.NotNull
				if !found {
					def, found = pc.Default, true
				}
			}
		}
		if c.NotNull && !notNull {
			out = append(out, alterColumn(t.Name, c.Name, "SET NOT NULL", "set not null"))
		}
		switch {
		case c.Default != "" && c.Default != def:
			out = append(out, alterColumn(t.Name, c.Name, "SET DEFAULT "+c.Default, "set default"))
		case c.Default == "" && def != "":
			out = append(out, alterColumn(t.Name, c.Name, "DROP DEFAULT", "drop default"))
		}
	}
	return out
}

// newTableOrder lists the new tables (not partitions) parents first.
func (b *builder) newTableOrder() []model.QName {
	set := map[model.QName]bool{}
	prereq := map[model.QName][]model.QName{}
	for _, d := range b.desired.SortedTables() {
		if b.live.Tables[d.Name] == nil && d.PartitionOf == nil {
			set[d.Name] = true
		}
	}
	for name := range set {
		for _, p := range b.desired.Tables[name].Inherits {
			if set[p] {
				prereq[name] = append(prereq[name], p)
			}
		}
	}
	order, err := topoSort(set, prereq)
	if err != nil {
		return sortedNames(set)
	}
	return order
}
