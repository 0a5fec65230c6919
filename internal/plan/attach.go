package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// What ATTACH and DETACH PARTITION do to indexes, and how the plan makes
// the result the source's.
//
// ATTACH PARTITION gives each index of the parent an index of the new
// partition: the first of the table's unattached indexes (by OID) that
// matches, else one PostgreSQL builds and names. When the table has a
// matching index the source keeps as an index of its own, PostgreSQL may
// take that one, so the plan builds the one the source attaches first and
// then swaps the two names where PostgreSQL chose the other.
//
// DETACH PARTITION leaves the partition's attached indexes on it as indexes
// of its own; those the source does not declare on the table are dropped.

// attachIndexSteps returns the steps before and after attaching the live
// table d (a leaf partition in desired) that make its attached indexes
// those the source names.
func (b *builder) attachIndexSteps(d *model.Table) (before, after []Step) {
	if d.PartitionBy != "" {
		return nil, nil
	}
	for _, p := range b.desired.IndexesOn(*d.PartitionOf) {
		if b.live.Indexes[p.Name] == nil || b.droppedIdx[p.Name] {
			continue // created after the attach, with its partitions' indexes named
		}
		want := ""
		for _, c := range p.Partitions {
			if c.Table == d.Name {
				want = c.Name
			}
		}
		if want == "" {
			continue
		}
		var matching []string
		hasWant := false
		for _, l := range b.live.IndexesOn(d.Name) {
			if b.droppedIdx[l.Name] {
				continue
			}
			if !isChildIndex(p, l) {
				continue
			}
			matching = append(matching, l.Name.Name)
			hasWant = hasWant || l.Name.Name == want
		}
		if len(matching) == 0 || len(matching) == 1 && hasWant {
			continue // PostgreSQL builds or takes the one the source names
		}
		name := model.QName{Schema: d.Name.Schema, Name: want}
		if !hasWant {
			def, ok := childIndexDef(p, d.Name, want, false)
			if cc, ok2 := concurrentCreate(def, want, want); ok && ok2 {
				before = append(before, marked(Step{SQL: cc + ";", Summary: "create index " + name.String() + " on " + d.Name.String() + " to attach to " + p.Name.String(),
					Object: indexID(name), Isolation: NoTransaction, Owner: tableID(d.Name)}, RewriteConcurrentIndex))
			}
		}
		after = append(after, swapAttachedIndex(p.Name, d.Name, want))
	}
	return before, after
}

// swapAttachedIndex makes the index of table attached to parentIndex the
// one named want: where PostgreSQL attached another matching index, the
// two trade names (same definition, so nothing else changes).
func swapAttachedIndex(parentIndex, table model.QName, want string) Step {
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  got text;
BEGIN
  %[1]s
  IF got <> %[2]s THEN
    EXECUTE format('ALTER INDEX %%I.%%I RENAME TO pgflux_attach_swap', %[3]s, got);
    EXECUTE format('ALTER INDEX %%I.%%I RENAME TO %%I', %[3]s, %[2]s, got);
    EXECUTE format('ALTER INDEX %%I.pgflux_attach_swap RENAME TO %%I', %[3]s, %[2]s);
  END IF;
END
$pgflux$`, attachedIndexSelect("got", parentIndex, table), model.QuoteLiteral(want), model.QuoteLiteral(table.Schema))
	name := model.QName{Schema: table.Schema, Name: want}
	return step(sql, fmt.Sprintf("attach %s to %s (the index PostgreSQL chose trades names with it)", name, parentIndex), indexID(name))
}

// detachedIndexDrops drops the indexes a detached partition keeps of its
// old parent's indexes that the source does not declare on it as they are.
// A key's index goes with the key; a table that joins another parent may
// have them attached there.
func (b *builder) detachedIndexDrops(name model.QName) []Step {
	l, d := b.live.Tables[name], b.desired.Tables[name]
	if d == nil || d.PartitionOf != nil {
		return nil
	}
	var out []Step
	for _, p := range b.live.SortedIndexes() {
		if b.droppedIdx[p.Name] {
			continue // dropped before the detach, with its partitions' indexes
		}
		for _, c := range p.Partitions {
			if c.Table != name || partitionKeyIndex(l, c.Name) {
				continue
			}
			ix := model.QName{Schema: name.Schema, Name: c.Name}
			if want := b.desired.Indexes[ix]; want != nil && want.Table == name && isChildIndex(p, want) {
				continue
			}
			out = append(out, step("DROP INDEX "+ix.String(), "drop index "+ix.String()+" left by the detach", indexID(ix)))
		}
	}
	return out
}

// attachedIndexSelect is the PL/pgSQL statement that puts into variable
// the name of table's index attached to parentIndex, which PostgreSQL
// chose or named.
func attachedIndexSelect(variable string, parentIndex, table model.QName) string {
	return fmt.Sprintf(`SELECT c.relname INTO STRICT %s FROM pg_inherits h JOIN pg_index i ON i.indexrelid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid
   WHERE h.inhparent = %s::regclass AND i.indrelid = %s::regclass;`, variable, model.QuoteLiteral(parentIndex.String()), model.QuoteLiteral(table.String()))
}

// DETACH PARTITION also leaves the partition a copy of every constraint it
// inherited (CHECK constraints and foreign keys under the ancestor's name,
// primary, unique and exclusion keys under the name PostgreSQL gave the
// partition's), now its own. The live model does not list them on the
// partition, so the plan predicts them from its ancestors: one the source
// declares on the table (same kind and definition) is kept, renamed where
// the source names it otherwise, and not added again; the others are
// dropped. A table that joins another parent keeps those that parent has
// too (ATTACH takes them as the inherited ones).

// leftover is one constraint DETACH leaves a partition, as its ancestor
// declares it, and the name the plan keeps it under ("" to drop it).
type leftover struct {
	from model.QName
	c    *model.Constraint
	keep string
}

// isKey reports whether a constraint is a primary, unique or exclusion key:
// a partition's copy has a name of its own.
func isKey(c *model.Constraint) bool {
	return c.Type == model.PrimaryKey || c.Type == model.Unique || c.Type == model.Exclusion
}

// sameConstraint reports whether two constraints are the same but for
// their names.
func sameConstraint(a, c *model.Constraint) bool {
	return a.Type == c.Type && a.Definition == c.Definition && a.Validated == c.Validated
}

// liveAncestors are the tables above a live partition, nearest first.
func liveAncestors(m *model.Model, name model.QName) []model.QName {
	var out []model.QName
	for t := m.Tables[name]; t != nil && t.PartitionOf != nil && len(out) < 64; t = m.Tables[*t.PartitionOf] {
		out = append(out, *t.PartitionOf)
	}
	return out
}

// analyzeDetachLeftovers decides what becomes of the constraints each
// detached partition keeps from its live ancestors.
func (b *builder) analyzeDetachLeftovers() {
	ts := b.types()
	for _, name := range sortedNames(ts.detached) {
		l, d := b.live.Tables[name], b.desired.Tables[name]
		claimed := map[string]bool{}
		for _, a := range liveAncestors(b.live, name) {
			for _, c := range b.live.Tables[a].SortedConstraints() {
				if c.Type == model.Check && !inheritedCheck(c) {
					continue
				}
				lo := leftover{from: a, c: c}
				switch {
				case d.PartitionOf == nil:
					lo.keep = leftoverTarget(l, d, c, claimed)
					if lo.keep != "" {
						claimed[lo.keep] = true
						ts.leftFor[constraintID(name, lo.keep)] = true
					}
				case b.attachParentsHave(d, c):
					lo.keep = c.Name // kept as it is; for a key, the name is PostgreSQL's
				}
				ts.leftovers[name] = append(ts.leftovers[name], lo)
			}
		}
	}
}

// leftoverTarget is the constraint of desired table d (live l) that the
// copy of c a detach leaves becomes: same kind and definition, not one l
// has of its own, by c's name first; "" when d has none.
func leftoverTarget(l, d *model.Table, c *model.Constraint, claimed map[string]bool) string {
	free := func(dc *model.Constraint) bool {
		return dc != nil && !claimed[dc.Name] && l.Constraints[dc.Name] == nil && sameConstraint(c, dc)
	}
	if !isKey(c) && free(d.Constraints[c.Name]) {
		return c.Name
	}
	for _, dc := range d.SortedConstraints() {
		if free(dc) {
			return dc.Name
		}
	}
	return ""
}

// attachParentsHave reports whether the parents a table is attached to
// (desired) have a constraint like c on live and keep it: ATTACH then takes
// the table's own as the inherited one (a CHECK constraint by its name).
// A CHECK constraint is also taken by a parent the plan creates first
// (attachParentChecks).
func (b *builder) attachParentsHave(d *model.Table, c *model.Constraint) bool {
	if inheritedCheck(c) {
		for _, pc := range b.attachParentChecks(d) {
			if pc.Name == c.Name && sameConstraint(pc.Constraint, c) {
				return true
			}
		}
		return false
	}
	for p := d.PartitionOf; p != nil; {
		lp, dp := b.live.Tables[*p], b.desired.Tables[*p]
		if lp == nil || dp == nil || b.droppedTables[*p] {
			return false
		}
		for _, pc := range lp.Constraints {
			if (isKey(c) || pc.Name == c.Name) && sameConstraint(pc, c) && !b.droppedCons[constraintID(*p, pc.Name)] {
				return true
			}
		}
		p = dp.PartitionOf
	}
	return false
}

// parentCheck is a CHECK constraint of a parent table.
type parentCheck struct {
	parent model.QName
	*model.Constraint
}

// attachParentChecks are the inheritable CHECK constraints the parents of
// table d (desired) have when it is attached, nearest parent first: those
// a live parent keeps, and those a parent the plan creates (a new table, or
// one recreated with a new partition layout) declares in its CREATE TABLE.
// ATTACH PARTITION requires each of them on the table, by name.
func (b *builder) attachParentChecks(d *model.Table) []parentCheck {
	var out []parentCheck
	for p := d.PartitionOf; p != nil; {
		lp, dp := b.live.Tables[*p], b.desired.Tables[*p]
		if dp == nil {
			break
		}
		if lp != nil && !b.droppedTables[*p] {
			for _, c := range lp.SortedConstraints() {
				if inheritedCheck(c) && !b.droppedCons[constraintID(*p, c.Name)] {
					out = append(out, parentCheck{*p, c})
				}
			}
		} else {
			for _, c := range dp.SortedConstraints() {
				if inheritedCheck(c) && inlineConstraint(c) {
					out = append(out, parentCheck{*p, c})
				}
			}
		}
		p = dp.PartitionOf
	}
	return out
}

// leftoverSteps rename and drop, right after the detach, the constraints it
// left the table. A key's copy is found by its definition, equal to its
// ancestor's, among those the table did not have of its own.
func (b *builder) leftoverSteps(name model.QName) []Step {
	l := b.live.Tables[name]
	var own []string
	for _, c := range l.SortedConstraints() {
		own = append(own, c.Name)
	}
	var drops, renames []Step
	for _, lo := range b.types().leftovers[name] {
		switch {
		case !isKey(lo.c) && lo.keep == "":
			drops = append(drops, dropConstraint(name, lo.c.Name))
		case !isKey(lo.c) && lo.keep != lo.c.Name:
			renames = append(renames, renameConstraint(name, lo.c.Name, lo.keep))
		case isKey(lo.c) && (lo.keep == "" || b.desired.Tables[name].PartitionOf == nil):
			s := b.leftoverKeyStep(name, lo, own)
			if lo.keep == "" {
				drops = append(drops, s)
			} else {
				renames = append(renames, s)
				own = append(own, lo.keep)
			}
		}
	}
	return append(drops, renames...)
}

func renameConstraint(table model.QName, from, to string) Step {
	return step(fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", table, model.QuoteIdent(from), model.QuoteIdent(to)),
		fmt.Sprintf("rename constraint %s on %s to %s (left by the detach)", model.QuoteIdent(from), table, model.QuoteIdent(to)),
		constraintID(table, to))
}

// leftoverKeyStep drops the copy of key lo.c a detach left on table, or
// renames it to lo.keep.
func (b *builder) leftoverKeyStep(table model.QName, lo leftover, own []string) Step {
	quoted := make([]string, len(own))
	for i, n := range own {
		quoted[i] = model.QuoteLiteral(n)
	}
	find := fmt.Sprintf(`SELECT c.conname INTO STRICT n FROM pg_constraint c, pg_constraint a
   WHERE c.conrelid = %s::regclass AND a.conrelid = %s::regclass AND a.conname = %s
     AND c.contype = a.contype AND pg_get_constraintdef(c.oid) = pg_get_constraintdef(a.oid)
     AND c.conname <> ALL (ARRAY[%s]::text[])
   ORDER BY c.conname LIMIT 1;`,
		model.QuoteLiteral(table.String()), model.QuoteLiteral(lo.from.String()), model.QuoteLiteral(lo.c.Name), strings.Join(quoted, ", "))
	act := fmt.Sprintf(`EXECUTE format('ALTER TABLE %%s DROP CONSTRAINT %%I', %s, n);`, model.QuoteLiteral(table.String()))
	summary := fmt.Sprintf("drop the copy of %s that the detach left on %s", constraintID(lo.from, lo.c.Name), table)
	id := constraintID(table, lo.c.Name)
	if lo.keep != "" {
		act = fmt.Sprintf(`IF n <> %[2]s THEN
    EXECUTE format('ALTER TABLE %%s RENAME CONSTRAINT %%I TO %%I', %[1]s, n, %[2]s);
  END IF;`, model.QuoteLiteral(table.String()), model.QuoteLiteral(lo.keep))
		summary = fmt.Sprintf("keep the copy of %s that the detach left on %s as %s", constraintID(lo.from, lo.c.Name), table, model.QuoteIdent(lo.keep))
		id = constraintID(table, lo.keep)
	}
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  n text;
BEGIN
  %s
  %s
END
$pgflux$`, find, act)
	return step(sql, summary, id)
}

// attaches reports whether the plan attaches live table l to the parent
// desired gives it (d): a table of its own, or a partition detached first.
func (b *builder) attaches(l, d *model.Table) bool {
	return d.PartitionOf != nil && (l.PartitionOf == nil || b.types().detached[l.Name])
}

// keepForAttach reports whether a CHECK constraint of a table about to be
// attached, which desired does not keep under its name, is one a new parent
// has under another name: it is renamed to the parent's name before the
// ATTACH, which takes it as the inherited one, rather than dropped and
// added again (a scan of the table under ACCESS EXCLUSIVE lock).
func (b *builder) keepForAttach(d *model.Table, lc *model.Constraint) bool {
	if !inheritedCheck(lc) {
		return false
	}
	l, ts := b.live.Tables[d.Name], b.types()
	taken := func(name string) bool {
		if l.Constraints[name] != nil {
			return true
		}
		for id, to := range ts.attachRenames {
			if id.QName() == d.Name && to == name {
				return true
			}
		}
		return false
	}
	for _, pc := range b.attachParentChecks(d) {
		if sameConstraint(pc.Constraint, lc) && !taken(pc.Name) {
			ts.attachRenames[constraintID(d.Name, lc.Name)] = pc.Name
			return true
		}
	}
	return false
}

// attachCheckSteps add to a table, before it is attached, the CHECK
// constraints its new parents have on live and keep that it does not keep
// of its own: ATTACH PARTITION requires them ("child table is missing
// constraint"), and takes them as the inherited ones. One the table has
// under another name is renamed instead (keepForAttach).
func (b *builder) attachCheckSteps(d *model.Table) []Step {
	l := b.live.Tables[d.Name]
	has := map[string]bool{}
	var out []Step
	for _, c := range l.SortedConstraints() {
		id := constraintID(d.Name, c.Name)
		if to, ok := b.types().attachRenames[id]; ok {
			has[to] = true
			out = append(out, step(fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", d.Name, model.QuoteIdent(c.Name), model.QuoteIdent(to)),
				fmt.Sprintf("rename constraint %s on %s to %s, as its new parent names it, for ATTACH PARTITION to take it", model.QuoteIdent(c.Name), d.Name, model.QuoteIdent(to)),
				constraintID(d.Name, to)))
		} else if !b.droppedCons[id] {
			has[c.Name] = true
		}
	}
	for _, lo := range b.types().leftovers[d.Name] {
		if lo.keep != "" && !isKey(lo.c) {
			has[lo.keep] = true
		}
	}
	for _, c := range b.attachParentChecks(d) {
		if has[c.Name] {
			continue
		}
		has[c.Name] = true
		out = append(out, step(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", d.Name, model.QuoteIdent(c.Name), c.Definition),
			fmt.Sprintf("add constraint %s of %s to %s, which ATTACH PARTITION requires", model.QuoteIdent(c.Name), c.parent, d.Name),
			constraintID(d.Name, c.Name)))
	}
	return out
}

// attachColumns are live column lc of table l and desired column dc as the
// plan's column steps see them when l is detached or attached: from
// PostgreSQL 17 a partition shares its parent's identity, which DETACH
// PARTITION takes away and ATTACH PARTITION gives (refusing a table that
// has an identity column of its own). So a detached partition's column has
// no identity left to drop, and a column about to be attached to a parent's
// identity column is planned without one (a live one is dropped, none is
// added).
func (b *builder) attachColumns(l, d *model.Table, lc, dc *model.Column) (*model.Column, *model.Column) {
	if lc.Identity != model.IdentityNone && b.types().detached[l.Name] && parentIdentity(b.live, l, lc.Name) {
		c := *lc
		c.Identity, c.IdentitySequence = model.IdentityNone, nil
		lc = &c
	}
	if dc.Identity != model.IdentityNone && b.attaches(l, d) && parentIdentity(b.desired, d, dc.Name) {
		c := *dc
		c.Identity, c.IdentitySequence = model.IdentityNone, nil
		dc = &c
	}
	return lc, dc
}

// parentIdentity reports whether column name of partition t's parent in m
// is an identity column.
func parentIdentity(m *model.Model, t *model.Table, name string) bool {
	if t.PartitionOf == nil {
		return false
	}
	p := m.Tables[*t.PartitionOf]
	return p != nil && p.Column(name) != nil && p.Column(name).Identity != model.IdentityNone
}
