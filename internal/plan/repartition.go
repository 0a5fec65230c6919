package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// RepartitionSchema is the scratch schema a table is moved into while it is
// recreated with a new partition layout: moving it (with its partitions,
// indexes and identity sequences) frees every name the new table needs, and
// the copy reads from it. It exists only inside the migration.
const RepartitionSchema = "pgflux_repartition"

// repartitions are the tables whose partition layout changes (plain →
// partitioned, partitioned → plain, another key or strategy, new bounds of
// a HASH table's partitions: hashRebound). PostgreSQL
// cannot change a partition key in place, so each is recreated: its
// dependents are dropped, the old table is moved aside, the new one is
// created by the ordinary plan (live is planned as if the table and its
// dependents did not exist), the rows are copied, the old table is dropped,
// and the dependents are created again by the ordinary plan.
type repartitions struct {
	live, desired *model.Model
	tables        []*repartition
	// gone are the live tables moved aside: the recreated tables and
	// their partitions but those detached and kept.
	gone map[model.QName]bool
	// dependents are the views and materialized views over a recreated
	// table, in drop order (dependents before what they depend on).
	dependents []model.ObjectID
	// foreignKeys are keys of other tables that reference a recreated table.
	foreignKeys []model.ObjectID
	// policies are policies of other tables whose expressions read a
	// recreated table (or a view over it): dropped before the move and
	// created again by the ordinary plan.
	policies []model.ObjectID
	// rebound are the functions and procedures (by key) whose BEGIN ATOMIC
	// bodies read a recreated table: PostgreSQL records that dependency,
	// so the old table could not be dropped. They stay, and CREATE OR
	// REPLACE binds them to the new table before the old one is dropped
	// (what depends on them, a default or an index, stays too).
	rebound []string
	// retyped are the functions and procedures (by key) that CREATE OR
	// REPLACE cannot move over: their arguments or result use the row type
	// of a recreated table (a type with a new oid), or they depend on a
	// view over it, which is dropped. The ordinary plan drops them (and
	// what depends on them) before the move and creates them again after.
	retyped []string
	// disowned are serial sequences owned by a recreated table's columns:
	// they stay (the new columns' defaults use them) and are owned again by
	// the ordinary plan.
	disowned []model.QName
}

type repartition struct {
	name          model.QName
	live, desired *model.Table
	// members are the live table and its partitions at every level,
	// except detached ones and their partitions.
	members []model.QName
	// detached are live partitions that are tables of their own in
	// desired: detached before the move, they keep their rows.
	detached []model.QName
	// leftChecks are, by detached partition, the CHECK constraints it
	// inherited, which DETACH leaves it as its own: each is renamed to the
	// like constraint desired declares on the table, or dropped.
	leftChecks map[model.QName][]leftover
}

// planRepartitions finds the recreated tables and returns live as the rest
// of the plan must see it: without those tables, their partitions and
// everything that belongs to or depends on them.
func planRepartitions(live, desired *model.Model) (*repartitions, *model.Model) {
	rp := &repartitions{live: live, desired: desired}
	gone := map[model.QName]bool{} // live tables moved aside
	for _, d := range desired.SortedTables() {
		l := live.Tables[d.Name]
		if l == nil || l.PartitionBy == d.PartitionBy && !hashRebound(live, desired, d.Name) || l.PartitionOf != nil || d.PartitionOf != nil ||
			l.Foreign != nil || d.Foreign != nil || len(l.Inherits) > 0 || len(d.Inherits) > 0 || inheritedBy(live, d.Name) {
			// A partition's own layout and classic inheritance are
			// refused where the key change is emitted (types.go).
			continue
		}
		r := &repartition{name: d.Name, live: l, desired: d, leftChecks: map[model.QName][]leftover{}}
		// A partition that stays a table of its own in desired (plain, or
		// a partition of another tree) is detached first and keeps its
		// rows and its subtree; the rest of the tree is recreated.
		tree := partitionTree(live, d.Name)
		kept := map[model.QName]bool{}
		for _, m := range tree[1:] {
			if kept[m] {
				continue
			}
			if dt := desired.Tables[m]; dt != nil && (dt.PartitionOf == nil || !inTree(desired, *dt.PartitionOf, d.Name)) {
				r.detached = append(r.detached, m)
				r.leftChecks[m] = detachedChecks(live, desired, m)
				for _, sub := range partitionTree(live, m) {
					kept[sub] = true
				}
			}
		}
		for _, m := range tree {
			if !kept[m] {
				r.members = append(r.members, m)
			}
		}
		rp.tables = append(rp.tables, r)
		for _, m := range r.members {
			gone[m] = true
		}
	}
	if len(rp.tables) == 0 {
		return nil, live
	}
	rp.gone = gone
	rp.findDependents(gone)
	return rp, rp.without(gone)
}

// hashRebound reports whether a HASH-partitioned table keeps its key but a
// partition that stays in it takes another bound (most often a new
// modulus). Detaching and attaching it again would fail on nearly every
// row (each partition's rows are hashed anew, and PostgreSQL does not move
// them), so the table is recreated and its rows copied, which puts each row
// where the new bounds want it.
func hashRebound(live, desired *model.Model, name model.QName) bool {
	if l := live.Tables[name]; l == nil || !strings.HasPrefix(l.PartitionBy, "HASH ") {
		return false
	}
	for _, l := range live.PartitionsOf(name) {
		if d := desired.Tables[l.Name]; d != nil && d.PartitionOf != nil && *d.PartitionOf == name && d.Bound != l.Bound {
			return true
		}
	}
	return false
}

// refusal is the error for a recreate the plan cannot make: a column of
// another table, an attribute of a composite type or a domain or range
// over it stores values of a recreated table's row type. The new table's
// row type is another type, and PostgreSQL converts stored values to it
// only by a rewrite the source does not describe.
func (rp *repartitions) refusal() error {
	if rp == nil {
		return nil
	}
	for _, name := range sortedNames(rp.gone) {
		typ := name.String()
		var users []string
		for _, t := range rp.live.SortedTables() {
			if rp.gone[t.Name] {
				continue
			}
			for _, c := range t.Columns {
				if mentionsType(c.Type, typ) {
					users = append(users, "column "+t.Name.String()+"."+model.QuoteIdent(c.Name))
				}
			}
		}
		for _, n := range sortedKeys(rp.live.Composites) {
			for _, a := range rp.live.Composites[n].Attributes {
				if mentionsType(a.Type, typ) {
					users = append(users, "attribute "+model.QuoteIdent(a.Name)+" of type "+n.String())
				}
			}
		}
		for _, n := range sortedKeys(rp.live.Domains) {
			if mentionsType(rp.live.Domains[n].Type, typ) {
				users = append(users, "domain "+n.String())
			}
		}
		for _, n := range sortedKeys(rp.live.Ranges) {
			if mentionsType(rp.live.Ranges[n].Subtype, typ) {
				users = append(users, "range type "+n.String())
			}
		}
		if len(users) > 0 {
			return fmt.Errorf("plan: table %s gets a new partition layout, so it is created again with another row type, but values of its row type are stored in %s; "+
				"PostgreSQL cannot convert stored values to another type in place: give those another type first, then change the partition layout",
				name, strings.Join(users, ", "))
		}
	}
	return nil
}

// inheritedBy reports whether a live table has classic inheritance children.
func inheritedBy(m *model.Model, name model.QName) bool {
	for _, t := range m.Tables {
		for _, p := range t.Inherits {
			if p == name {
				return true
			}
		}
	}
	return false
}

// partitionTree is a table followed by its partitions at every level.
func partitionTree(m *model.Model, root model.QName) []model.QName {
	out := []model.QName{root}
	for i := 0; i < len(out); i++ {
		for _, t := range m.SortedTables() {
			if t.PartitionOf != nil && *t.PartitionOf == out[i] {
				out = append(out, t.Name)
			}
		}
	}
	return out
}

// inTree reports whether table name is root or one of its partitions.
func inTree(m *model.Model, name, root model.QName) bool {
	for t := m.Tables[name]; t != nil; {
		if t.Name == root {
			return true
		}
		if t.PartitionOf == nil {
			return false
		}
		t = m.Tables[*t.PartitionOf]
	}
	return false
}

// findDependents collects the views and materialized views over the moved
// tables (to a fixpoint: a view over such a view too), the policies of other
// tables that read them or those views, the functions whose BEGIN ATOMIC
// bodies read them (rebound) or that use their row types or those views
// (retyped), the foreign keys of other tables that reference them, and the
// serial sequences they own.
func (rp *repartitions) findDependents(gone map[model.QName]bool) {
	live := rp.live
	depOf := map[model.ObjectID][]model.ObjectID{}
	var candidates []model.ObjectID
	for _, v := range live.SortedViews() {
		id := viewID(v.Name)
		depOf[id] = viewDeps(live, v)
		candidates = append(candidates, id)
	}
	for _, name := range sortedKeys(live.MatViews) {
		id := matViewID(name)
		depOf[id] = live.Deps[id]
		candidates = append(candidates, id)
	}
	dependent := map[model.ObjectID]bool{}
	hits := func(dep model.ObjectID) bool {
		switch dep.Kind {
		case model.KindTable, model.KindColumn, model.KindConstraint:
			return gone[dep.QName()]
		case model.KindView, model.KindMatView:
			return dependent[dep]
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for _, id := range candidates {
			if dependent[id] {
				continue
			}
			for _, dep := range depOf[id] {
				if hits(dep) {
					dependent[id] = true
					changed = true
					break
				}
			}
		}
	}
	// Drop order: a dependent goes before the dependents it uses.
	dropped := map[model.ObjectID]bool{}
	for len(dropped) < len(dependent) {
		progress := false
		for _, id := range candidates {
			if !dependent[id] || dropped[id] {
				continue
			}
			usedByPending := false
			for _, other := range candidates {
				if other == id || !dependent[other] || dropped[other] {
					continue
				}
				for _, dep := range depOf[other] {
					if dep.Kind == id.Kind && dep.QName() == id.QName() {
						usedByPending = true
					}
				}
			}
			if !usedByPending {
				rp.dependents = append(rp.dependents, id)
				dropped[id] = true
				progress = true
			}
		}
		if !progress { // a cycle cannot happen between views; stay total anyway
			for _, id := range candidates {
				if dependent[id] && !dropped[id] {
					rp.dependents = append(rp.dependents, id)
					dropped[id] = true
				}
			}
		}
	}
	for _, name := range sortedKeys(live.Security) {
		if gone[name] {
			continue // its policies go with it
		}
		for _, p := range live.Security[name].SortedPolicies() {
			id := policyID(name, p.Name)
			if slices.ContainsFunc(live.Deps[id], hits) {
				rp.policies = append(rp.policies, id)
			}
		}
	}
	for _, f := range live.SortedFunctions() {
		switch {
		case slices.ContainsFunc(live.Deps[f.ID()], func(dep model.ObjectID) bool {
			return (dep.Kind == model.KindView || dep.Kind == model.KindMatView) && dependent[dep]
		}) || usesRowType(f, gone):
			rp.retyped = append(rp.retyped, f.Key())
		case slices.ContainsFunc(live.Deps[f.ID()], hits):
			rp.rebound = append(rp.rebound, f.Key())
		}
	}
	for _, t := range live.SortedTables() {
		if gone[t.Name] {
			continue
		}
		for _, c := range t.SortedConstraints() {
			if c.Type == model.ForeignKey && c.References != nil && gone[*c.References] {
				rp.foreignKeys = append(rp.foreignKeys, constraintID(t.Name, c.Name))
			}
		}
	}
	for _, s := range live.SortedSequences() {
		if s.OwnedBy != nil && gone[s.OwnedBy.Table] {
			rp.disowned = append(rp.disowned, s.Name)
		}
	}
}

// without returns a copy of live without the moved tables and what belongs
// to them or depends on them; the maps it changes are copied, the rest shared.
func (rp *repartitions) without(gone map[model.QName]bool) *model.Model {
	l := *rp.live
	deps := map[model.ObjectID]bool{}
	for _, id := range rp.dependents {
		deps[id] = true
	}
	owned := func(id model.ObjectID) bool {
		switch id.Kind {
		case model.KindTable, model.KindColumn, model.KindConstraint, model.KindIndex, model.KindTrigger, model.KindRule, model.KindPolicy:
			if gone[id.QName()] {
				return true
			}
		}
		return deps[model.ObjectID{Kind: id.Kind, Schema: id.Schema, Name: id.Name}] ||
			deps[viewID(id.QName())] && id.Kind == model.KindColumn || deps[matViewID(id.QName())] && id.Kind == model.KindColumn
	}
	l.Tables = map[model.QName]*model.Table{}
	fks := map[model.ObjectID]bool{}
	for _, id := range rp.foreignKeys {
		fks[id] = true
	}
	for name, t := range rp.live.Tables {
		if gone[name] {
			continue
		}
		keep := t
		if r := rp.detachedFrom(name); r != nil {
			c := *t
			c.PartitionOf, c.Bound = nil, ""
			c.Constraints = maps.Clone(t.Constraints)
			for _, lo := range r.leftChecks[name] {
				if lo.keep != "" {
					c.Constraints[lo.keep] = rp.desired.Tables[name].Constraints[lo.keep]
				}
			}
			keep = &c
		}
		for cname := range t.Constraints {
			if fks[constraintID(name, cname)] {
				c := *keep
				c.Constraints = map[string]*model.Constraint{}
				for n, con := range t.Constraints {
					if !fks[constraintID(name, n)] {
						c.Constraints[n] = con
					}
				}
				keep = &c
				break
			}
		}
		l.Tables[name] = keep
	}
	l.Indexes = map[model.QName]*model.Index{}
	for name, ix := range rp.live.Indexes {
		if !gone[ix.Table] && !deps[matViewID(ix.Table)] {
			l.Indexes[name] = ix
		}
	}
	l.Views = map[model.QName]*model.View{}
	for name, v := range rp.live.Views {
		if !deps[viewID(name)] {
			l.Views[name] = v
		}
	}
	l.MatViews = map[model.QName]*model.MatView{}
	for name, v := range rp.live.MatViews {
		if !deps[matViewID(name)] {
			l.MatViews[name] = v
		}
	}
	l.Triggers = map[string]*model.Trigger{}
	for k, t := range rp.live.Triggers {
		if !gone[t.Table] && !deps[viewID(t.Table)] {
			l.Triggers[k] = t
		}
	}
	l.Rules = map[string]*model.Rule{}
	for k, r := range rp.live.Rules {
		if !gone[r.Table] && !deps[viewID(r.Table)] {
			l.Rules[k] = r
		}
	}
	l.Statistics = map[model.QName]*model.Statistics{}
	for k, s := range rp.live.Statistics {
		if !gone[s.Table] && !deps[matViewID(s.Table)] {
			l.Statistics[k] = s
		}
	}
	l.Security = map[model.QName]*model.Security{}
	for k, s := range rp.live.Security {
		if !gone[k] {
			l.Security[k] = s
		}
	}
	for _, id := range rp.policies {
		// Dropped before the move: the ordinary plan creates it again.
		s := *l.Security[id.QName()]
		s.Policies = maps.Clone(s.Policies)
		delete(s.Policies, id.Sub)
		l.Security[id.QName()] = &s
	}
	l.ACLs = map[model.ObjectID]*model.ACL{}
	for id, a := range rp.live.ACLs {
		if !owned(id) {
			l.ACLs[id] = a
		}
	}
	l.Owners = map[model.ObjectID]*model.Ownership{}
	for id, o := range rp.live.Owners {
		if !owned(id) {
			l.Owners[id] = o
		}
	}
	l.Sequences = map[model.QName]*model.Sequence{}
	for name, s := range rp.live.Sequences {
		if s.OwnedBy != nil && gone[s.OwnedBy.Table] {
			c := *s
			c.OwnedBy = nil // disowned before the move; owned again by the plan
			s = &c
		}
		l.Sequences[name] = s
	}
	return &l
}

// rebind makes the ordinary plan replace the functions whose BEGIN ATOMIC
// bodies read a recreated table, as desired has them: CREATE OR REPLACE
// parses the body again against the new table (after the tables, since
// desired records the same dependency) and so frees the old one. One that
// desired drops or cannot replace in place is dropped by the ordinary plan,
// also before the old table goes.
func (rp *repartitions) rebind(b *builder) {
	if rp == nil {
		return
	}
	for _, k := range rp.rebound {
		if b.desired.Functions[k] != nil {
			b.rt.replacedFuncs[k] = true
		}
	}
	for _, k := range rp.retyped {
		b.rt.droppedFuncs[k] = true
	}
}

// usesRowType reports whether a function's arguments or result name the
// row type of a moved table, or an array of it: the catalog spells every
// type with its schema, as pg_get_function_arguments and
// pg_get_function_result do under search_path = pg_catalog.
func usesRowType(f *model.Function, gone map[model.QName]bool) bool {
	for name := range gone {
		for _, sig := range []string{f.Arguments, f.Result} {
			if mentionsType(sig, name.String()) {
				return true
			}
		}
	}
	return false
}

// mentionsType reports whether a signature text names a type, as a whole
// name: "public.ev" is in "e public.ev" and "SETOF public.ev[]", not in
// "public.ev_log".
func mentionsType(sig, typ string) bool {
	for i := 0; ; {
		j := strings.Index(sig[i:], typ)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(typ)
		if (start == 0 || !typeNameByte(sig[start-1])) && (end == len(sig) || !typeNameByte(sig[end])) {
			return true
		}
		i = start + 1
	}
}

// typeNameByte reports whether c can continue a (possibly quoted) type name.
func typeNameByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c == '"' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// emit adds the recreate's own steps around the ordinary plan.
func (rp *repartitions) emit(b *builder) {
	if rp == nil {
		return
	}
	var aside, copySteps []Step
	for _, r := range rp.tables {
		if g := rp.guard(r); g != nil {
			aside = append(aside, *g)
		}
	}
	for _, id := range rp.policies {
		aside = append(aside, step("DROP POLICY "+model.QuoteIdent(id.Sub)+" ON "+id.QName().String(),
			"drop "+id.String()+" (a table it reads is recreated)", id))
	}
	// The views go with the other dropped views: after the functions
	// that read them or use their row types, before those they call.
	var views []Step
	for _, id := range rp.dependents {
		if id.Kind == model.KindMatView {
			views = append(views, step("DROP MATERIALIZED VIEW "+id.QName().String(), "drop materialized view "+id.QName().String()+" (table recreated)", id))
		} else {
			views = append(views, step("DROP VIEW "+id.QName().String(), "drop view "+id.QName().String()+" (table recreated)", id))
		}
	}
	for _, id := range rp.foreignKeys {
		aside = append(aside, step(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", id.QName(), model.QuoteIdent(id.Sub)),
			fmt.Sprintf("drop foreign key %s on %s (its table is recreated)", model.QuoteIdent(id.Sub), id.QName()), id))
	}
	for _, s := range rp.disowned {
		aside = append(aside, step(fmt.Sprintf("ALTER SEQUENCE %s OWNED BY NONE", s), "keep sequence "+s.String()+" while its table is recreated", model.ID(model.KindSequence, s)))
	}
	// The move waits for every drop: a function whose signature names
	// the table's row type is dropped by that name, which the move frees.
	scratch := model.QuoteIdent(RepartitionSchema)
	move := []Step{step("CREATE SCHEMA "+scratch, "create scratch schema for recreated tables", model.ObjectID{Kind: model.KindSchema, Name: RepartitionSchema})}
	var old, names []string
	for _, r := range rp.tables {
		id := model.ID(model.KindTable, r.name)
		for _, m := range r.detached {
			aside = append(aside, rp.detach(m, r.name))
			for _, lo := range r.leftChecks[m] {
				switch lo.keep {
				case "":
					aside = append(aside, step(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", m, model.QuoteIdent(lo.c.Name)),
						fmt.Sprintf("drop constraint %s on %s (left by the detach)", model.QuoteIdent(lo.c.Name), m), constraintID(m, lo.c.Name)))
				case lo.c.Name:
				default:
					aside = append(aside, renameConstraint(m, lo.c.Name, lo.keep))
				}
			}
		}
		for _, m := range r.members {
			move = append(move, step(fmt.Sprintf("ALTER TABLE %s SET SCHEMA %s", m, scratch),
				fmt.Sprintf("move %s aside: table %s gets a new partition layout", m, r.name), id))
		}
		copySteps = append(copySteps, rp.copyRows(r)...)
		old = append(old, rp.aside(r.name).String())
		names = append(names, r.name.String())
	}
	// One DROP for every old layout: foreign keys between two recreated
	// tables (both ways, even) go with them, as no order of single drops
	// allows.
	copySteps = append(copySteps, step("DROP TABLE "+strings.Join(old, ", "),
		fmt.Sprintf("drop the old layout of %s (rows copied)", strings.Join(names, ", ")), model.ID(model.KindTable, rp.tables[0].name)))
	copySteps = append(copySteps, step("DROP SCHEMA "+scratch, "drop scratch schema for recreated tables", model.ObjectID{Kind: model.KindSchema, Name: RepartitionSchema}))
	b.add(phaseRepartitionAside, aside...)
	b.add(phaseDropViews, views...)
	b.add(phaseRepartitionMove, move...)
	b.add(phaseRepartitionCopy, copySteps...)
}

// detach detaches a partition that stays a table of its own. DETACH leaves
// it copies of the tree's keys, indexes and foreign keys as objects of its
// own, under names PostgreSQL chose and live does not list for the table:
// they are found by their parents before the detach and dropped after it,
// and the ordinary plan adds what desired has.
func (rp *repartitions) detach(m, root model.QName) Step {
	parent := *rp.live.Tables[m].PartitionOf
	lit := model.QuoteLiteral(m.String())
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  cons text[];
  idxs text[];
  n text;
BEGIN
  SELECT coalesce(array_agg(conname::text), '{}') INTO cons FROM pg_constraint
   WHERE conrelid = %[1]s::regclass AND conparentid <> 0;
  SELECT coalesce(array_agg(i.indexrelid::regclass::text), '{}') INTO idxs FROM pg_index i
   WHERE i.indrelid = %[1]s::regclass
     AND EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
     AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid);
  ALTER TABLE %[2]s DETACH PARTITION %[3]s;
  FOREACH n IN ARRAY cons LOOP
    EXECUTE format('ALTER TABLE %%s DROP CONSTRAINT IF EXISTS %%I', %[1]s, n);
  END LOOP;
  FOREACH n IN ARRAY idxs LOOP
    EXECUTE 'DROP INDEX IF EXISTS ' || n;
  END LOOP;
END
$pgflux$`, lit, parent, m)
	return step(sql, fmt.Sprintf("detach %s and drop what it kept from %s: it stays a table of its own while %s gets a new partition layout", m, parent, root),
		model.ID(model.KindTable, m))
}

// detachedFrom is the recreated table a live partition is detached from
// and kept, or nil.
func (rp *repartitions) detachedFrom(name model.QName) *repartition {
	for _, r := range rp.tables {
		if slices.Contains(r.detached, name) {
			return r
		}
	}
	return nil
}

// detachedChecks are the CHECK constraints live partition m inherits from
// its ancestors, which DETACH leaves it as its own (under the ancestor's
// name; the live model lists them on the ancestor only), each with the
// constraint of desired table m it becomes: the same definition, by its
// name first; "" to drop it.
func detachedChecks(live, desired *model.Model, m model.QName) []leftover {
	l, d := live.Tables[m], desired.Tables[m]
	var out []leftover
	seen, claimed := map[string]bool{}, map[string]bool{}
	for _, a := range liveAncestors(live, m) {
		for _, c := range live.Tables[a].SortedConstraints() {
			if !inheritedCheck(c) || seen[c.Name] || l.Constraints[c.Name] != nil {
				continue
			}
			seen[c.Name] = true
			lo := leftover{from: a, c: c, keep: leftoverTarget(l, d, c, claimed)}
			if lo.keep != "" {
				claimed[lo.keep] = true
			}
			out = append(out, lo)
		}
	}
	return out
}

// aside is the name of a moved table in the scratch schema.
func (rp *repartitions) aside(name model.QName) model.QName {
	return model.QName{Schema: RepartitionSchema, Name: name.Name}
}

// copyRows copies the rows of the old layout into the new table and lets
// identity sequences continue after the copied values. Generated columns
// are computed again; a column of the old table that desired drops is not
// copied (the hazard check reports it as DATA_LOSS).
func (rp *repartitions) copyRows(r *repartition) []Step {
	var cols, idents []string
	overriding := ""
	for _, d := range r.desired.Columns {
		l := r.live.Column(d.Name)
		if l == nil || d.Generated != "" {
			continue
		}
		cols = append(cols, model.QuoteIdent(d.Name))
		if d.Identity != model.IdentityNone {
			idents = append(idents, d.Name)
			if d.Identity == model.IdentityAlways {
				overriding = " OVERRIDING SYSTEM VALUE"
			}
		}
	}
	id := model.ID(model.KindTable, r.name)
	if len(cols) == 0 {
		return nil
	}
	list := strings.Join(cols, ", ")
	out := []Step{step(fmt.Sprintf("INSERT INTO %s (%s)%s SELECT %s FROM %s", r.name, list, overriding, list, rp.aside(r.name)),
		fmt.Sprintf("copy the rows of %s into its new layout", r.name), id)}
	for _, c := range idents {
		q := model.QuoteIdent(c)
		out = append(out, step(fmt.Sprintf("SELECT setval(pg_get_serial_sequence(%s, %s), max(%s)) FROM %s HAVING max(%s) IS NOT NULL",
			sqlString(r.name.String()), sqlString(c), q, r.name, q),
			fmt.Sprintf("continue the identity of %s.%s after the copied rows", r.name, q), id))
	}
	return out
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// guard is a step that fails the migration before any change when rows of
// the old table fit no partition of the new layout, with their count and the
// first key. It is nil when every row fits (a plain table, a DEFAULT
// partition, a complete set of hash partitions).
func (rp *repartitions) guard(r *repartition) *Step {
	keys, ok := partitionKeys(r.desired.PartitionBy)
	if !ok {
		return nil
	}
	fits, ok := rp.fitsAny(r.name, keys)
	if !ok || fits == "true" {
		return nil
	}
	where := "NOT coalesce(" + fits + ", false)"
	keyList := strings.Join(keys, ", ")
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  n bigint;
  k text;
BEGIN
  SELECT count(*) INTO n FROM %[1]s WHERE %[2]s;
  IF n > 0 THEN
    SELECT ROW(%[3]s)::text INTO k FROM %[1]s WHERE %[2]s ORDER BY %[3]s LIMIT 1;
    RAISE EXCEPTION 'table %[4]s: %% row(s) fit no partition of the new layout %[5]s; first key (%[6]s) = %%', n, k
      USING ERRCODE = 'check_violation',
            HINT = 'Add a partition (or a DEFAULT partition) that takes them, or move or delete those rows, then generate the migration again.';
  END IF;
END
$pgflux$`, r.name, where, keyList, escapeRaise(r.name.String()), escapeRaise(r.desired.PartitionBy), escapeRaise(keyList))
	s := step(sql, fmt.Sprintf("check that every row of %s fits a partition of its new layout", r.name), model.ID(model.KindTable, r.name))
	return &s
}

// escapeRaise makes text safe inside a RAISE format string literal.
func escapeRaise(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "'", "''"), "%", "%%")
}

// fitsAny is a predicate over the old table's rows: true when a row fits
// some partition of the desired table name (partitioned by keys), at every
// level. ok is false when it cannot be written (an unreadable bound).
func (rp *repartitions) fitsAny(parent model.QName, keys []string) (string, bool) {
	var parts, bounds []string
	var def *model.Table
	for _, t := range rp.desired.SortedTables() {
		if t.PartitionOf == nil || *t.PartitionOf != parent {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(t.Bound), "DEFAULT") {
			def = t
			continue
		}
		bound, ok := boundPredicate(t.Bound, keys)
		if !ok {
			return "", false
		}
		if bound == "true" && t.PartitionBy == "" {
			return "true", true
		}
		bounds = append(bounds, "coalesce("+bound+", false)")
		fits := bound
		if t.PartitionBy != "" {
			sub, ok := partitionKeys(t.PartitionBy)
			if !ok {
				return "", false
			}
			inner, ok := rp.fitsAny(t.Name, sub)
			if !ok {
				return "", false
			}
			fits = "(" + bound + " AND " + inner + ")"
		}
		parts = append(parts, "coalesce("+fits+", false)")
	}
	if def != nil {
		inner := "true"
		if def.PartitionBy != "" {
			sub, ok := partitionKeys(def.PartitionBy)
			if !ok {
				return "", false
			}
			var okInner bool
			if inner, okInner = rp.fitsAny(def.Name, sub); !okInner {
				return "", false
			}
		}
		if inner == "true" {
			return "true", true
		}
		others := "false"
		if len(bounds) > 0 {
			others = strings.Join(bounds, " OR ")
		}
		parts = append(parts, "(NOT ("+others+") AND coalesce("+inner+", false))")
	}
	if len(parts) == 0 {
		return "false", true
	}
	return "(" + strings.Join(parts, " OR ") + ")", true
}

// partitionKeys reads the key expressions of a pg_get_partkeydef text
// ("RANGE (created_at)", "LIST (lower(name))"); ok is false for an
// ordinary table or a key it cannot read.
func partitionKeys(def string) ([]string, bool) {
	open := strings.IndexByte(def, '(')
	if def == "" || open < 0 || !strings.HasSuffix(def, ")") {
		return nil, false
	}
	keys := model.SplitTopLevel(def[open+1 : len(def)-1])
	return keys, len(keys) > 0
}

// boundPredicate is the SQL condition a partition bound (pg_get_expr of
// relpartbound) puts on the key; "true" when every row fits (a hash
// partition, judged by the whole set elsewhere: PostgreSQL's own insert
// still refuses a row no hash partition takes).
func boundPredicate(bound string, keys []string) (string, bool) {
	b := strings.TrimSpace(bound)
	upper := strings.ToUpper(b)
	switch {
	case strings.HasPrefix(upper, "FOR VALUES WITH"):
		return "true", true
	case strings.HasPrefix(upper, "FOR VALUES IN"):
		vals, ok := parenList(b[len("FOR VALUES IN"):])
		if !ok || len(keys) != 1 {
			return "", false
		}
		var in []string
		null := false
		for _, v := range vals {
			if strings.EqualFold(v, "NULL") {
				null = true
			} else {
				in = append(in, v)
			}
		}
		var terms []string
		if len(in) > 0 {
			terms = append(terms, fmt.Sprintf("(%s) IN (%s)", keys[0], strings.Join(in, ", ")))
		}
		if null {
			terms = append(terms, fmt.Sprintf("(%s) IS NULL", keys[0]))
		}
		if len(terms) == 0 {
			return "false", true
		}
		return "(" + strings.Join(terms, " OR ") + ")", true
	case strings.HasPrefix(upper, "FOR VALUES FROM"):
		rest := b[len("FOR VALUES FROM"):]
		to := model.IndexTopLevel(rest, " TO ")
		if to < 0 {
			return "", false
		}
		lo, ok1 := parenList(rest[:to])
		hi, ok2 := parenList(rest[to+len(" TO "):])
		if !ok1 || !ok2 || len(lo) != len(keys) || len(hi) != len(keys) {
			return "", false
		}
		var terms []string
		for _, k := range keys {
			terms = append(terms, fmt.Sprintf("(%s) IS NOT NULL", k))
		}
		terms = append(terms, rangeTerm(keys, lo, true), rangeTerm(keys, hi, false))
		return "(" + strings.Join(terms, " AND ") + ")", true
	}
	return "", false
}

// rangeTerm compares the key row with one side of a range bound, as
// PostgreSQL does: lexicographically, up to the first MINVALUE or MAXVALUE.
func rangeTerm(keys, vals []string, lower bool) string {
	n := len(vals)
	inf := ""
	for i, v := range vals {
		if u := strings.ToUpper(v); u == "MINVALUE" || u == "MAXVALUE" {
			n, inf = i, u
			break
		}
	}
	var op string
	switch {
	case lower && inf == "MAXVALUE":
		op = ">"
	case lower:
		op = ">="
	case inf == "MAXVALUE":
		op = "<="
	default:
		op = "<"
	}
	if n == 0 {
		// (MINVALUE) below or (MAXVALUE) above: every key; the reverse: none.
		if (lower && inf == "MINVALUE") || (!lower && inf == "MAXVALUE") {
			return "true"
		}
		return "false"
	}
	return fmt.Sprintf("ROW(%s) %s ROW(%s)", strings.Join(keys[:n], ", "), op, strings.Join(vals[:n], ", "))
}

// parenList splits "(a, 'b, c', f(x))" into its top-level items.
func parenList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	items := model.SplitTopLevel(s[1 : len(s)-1])
	return items, len(items) > 0
}
