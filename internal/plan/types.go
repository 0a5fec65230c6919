package plan

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// This file plans the kinds of model/types.go and the partitioning,
// persistence and storage parts of tables.
//
// Types used by columns (domains, composite and range types) are altered in
// place where PostgreSQL allows it (ALTER DOMAIN, ALTER TYPE … ATTRIBUTE);
// a change PostgreSQL cannot make to a type that columns use is an error
// naming the type and the columns, because recreating it would rewrite or
// lose those columns' data behind the user's back. An unused type is simply
// dropped and created again.

// typeState is what analysis decided for the kinds of this file.
type typeState struct {
	droppedTypes   map[model.ObjectID]bool // gone from desired (dropped after columns move off them)
	recreatedTypes map[model.ObjectID]bool // unused and changed: dropped early, created again

	droppedMatViews map[model.QName]bool // dropped (gone, changed or broken); created again when desired has them
	droppedStats    map[model.QName]bool
	detached        map[model.QName]bool // partitions detached from their live parent
	// leftovers are, by detached partition, the constraints DETACH leaves
	// it (attach.go); leftFor are the desired constraints they become.
	leftovers map[model.QName][]leftover
	leftFor   map[model.ObjectID]bool
	// attachRenames are the CHECK constraints of tables about to be
	// attached that are renamed to the parent's like constraint (attach.go).
	attachRenames map[model.ObjectID]string
	skipColumns   map[model.QName]bool // partitions whose columns follow their parent's changes
	typeErr       error
}

func (b *builder) types() *typeState {
	if b.ts == nil {
		b.ts = &typeState{
			droppedTypes:    map[model.ObjectID]bool{},
			recreatedTypes:  map[model.ObjectID]bool{},
			droppedMatViews: map[model.QName]bool{},
			droppedStats:    map[model.QName]bool{},
			detached:        map[model.QName]bool{},
			leftovers:       map[model.QName][]leftover{},
			leftFor:         map[model.ObjectID]bool{},
			attachRenames:   map[model.ObjectID]string{},
			skipColumns:     map[model.QName]bool{},
		}
	}
	return b.ts
}

// analyzePartitions runs before columns are analysed: a partition that
// stays attached to the same parent takes its column changes from the
// parent (ADD/DROP/ALTER COLUMN recurse), so its own are not planned.
func (b *builder) analyzePartitions() {
	ts := b.types()
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		if d == nil || l.PartitionOf == nil {
			continue
		}
		if d.PartitionOf == nil || *d.PartitionOf != *l.PartitionOf || d.Bound != l.Bound {
			ts.detached[l.Name] = true
			continue
		}
		ts.skipColumns[l.Name] = true
	}
}

// analyzeTypes decides which domains, composite and range types are
// dropped or recreated.
func (b *builder) analyzeTypes() {
	ts := b.types()
	for name, l := range b.live.Domains {
		id := model.ID(model.KindDomain, name)
		d := b.desired.Domains[name]
		switch {
		case d == nil:
			ts.droppedTypes[id] = true
		case l.Type != d.Type || l.Collation != d.Collation:
			b.recreateType(id, fmt.Sprintf("its base type changes (%s → %s)", l.Type+collate(l.Collation), d.Type+collate(d.Collation)))
		default:
			b.refuseUncheckableDomainChange(l, d)
		}
	}
	for name, l := range b.live.Composites {
		id := model.ID(model.KindComposite, name)
		d := b.desired.Composites[name]
		switch {
		case d == nil:
			ts.droppedTypes[id] = true
		case !attributesAlterable(l.Attributes, d.Attributes):
			b.recreateType(id, "its attributes are reordered")
		default:
			b.refuseUsedCompositeRetype(l, d)
		}
	}
	for name, l := range b.live.Ranges {
		id := model.ID(model.KindRange, name)
		d := b.desired.Ranges[name]
		switch {
		case d == nil:
			ts.droppedTypes[id] = true
		case len(diff.RangeDetails(l, d)) > 0:
			b.recreateType(id, strings.Join(diff.RangeDetails(l, d), "; "))
		}
	}
	for name, l := range b.live.Collations {
		id := model.ID(model.KindCollation, name)
		d := b.desired.Collations[name]
		switch {
		case d == nil:
			ts.droppedTypes[id] = true
		case l.Provider != d.Provider || l.Locale != d.Locale || l.LcCollate != d.LcCollate || l.LcCtype != d.LcCtype || l.Deterministic != d.Deterministic:
			b.recreateType(id, "its definition changes")
		}
	}
	for name, l := range b.live.TextSearchConfigs {
		if d := b.desired.TextSearchConfigs[name]; d == nil || d.Parser != l.Parser {
			ts.droppedTypes[model.ID(model.KindTextSearchCfg, name)] = true
		}
	}
}

// recreateType drops and creates an unused type again, and records an
// error naming the columns when columns use it.
func (b *builder) recreateType(id model.ObjectID, why string) {
	ts := b.types()
	if cols := b.columnsUsing(id.QName()); len(cols) > 0 {
		if ts.typeErr == nil {
			ts.typeErr = fmt.Errorf("plan: %s cannot be changed in place: %s, and it is used by %s; move those columns to another type first (ALTER TABLE … ALTER COLUMN … TYPE), then change %s",
				id, why, strings.Join(cols, ", "), id)
		}
		return
	}
	ts.recreatedTypes[id] = true
}

// columnsUsing lists the live columns (and composite attributes) whose type
// is the named type or an array of it, or whose collation it is.
func (b *builder) columnsUsing(name model.QName) []string {
	spelled := name.String()
	uses := func(typ string) bool { return strings.TrimSuffix(typ, "[]") == spelled }
	var out []string
	for _, t := range b.live.SortedTables() {
		for _, c := range t.Columns {
			// Partitions repeat their parent's columns.
			if (uses(c.Type) || c.Collation == spelled) && t.PartitionOf == nil {
				out = append(out, "column "+t.Name.String()+"."+model.QuoteIdent(c.Name))
			}
		}
	}
	for _, ct := range b.live.SortedComposites() {
		for _, a := range ct.Attributes {
			if uses(a.Type) {
				out = append(out, "attribute "+ct.Name.String()+"."+model.QuoteIdent(a.Name))
			}
		}
	}
	for _, d := range b.live.SortedDomains() {
		if uses(d.Type) {
			out = append(out, "domain "+d.Name.String())
		}
	}
	return out
}

func collate(c string) string {
	if c == "" {
		return ""
	}
	return " COLLATE " + c
}

// attributesAlterable reports whether ADD/DROP/ALTER ATTRIBUTE can turn
// live's attributes into desired's: the kept ones in the same order, new
// ones at the end.
func attributesAlterable(l, d []*model.Attribute) bool {
	want := map[string]bool{}
	for _, a := range d {
		want[a.Name] = true
	}
	var kept []string
	for _, a := range l {
		if want[a.Name] {
			kept = append(kept, a.Name)
		}
	}
	if len(kept) > len(d) {
		return false
	}
	for i, n := range kept {
		if d[i].Name != n {
			return false
		}
	}
	return true
}

// analyzeMatViews finds the materialized views to drop: gone, changed
// (there is no CREATE OR REPLACE for them), or built on something dropped
// or retyped. It runs before and after the views are analysed, since
// either can be built on the other.
func (b *builder) analyzeMatViews() {
	ts := b.types()
	for changed := true; changed; {
		changed = false
		for _, l := range b.live.SortedMatViews() {
			if ts.droppedMatViews[l.Name] {
				continue
			}
			d := b.desired.MatViews[l.Name]
			if d == nil || matViewChanged(l, d) || b.matViewBroken(l) {
				ts.droppedMatViews[l.Name] = true
				changed = true
			}
		}
	}
}

func matViewChanged(l, d *model.MatView) bool {
	if diff.ViewQuery(l.Definition) != diff.ViewQuery(d.Definition) || diff.ViewOptions(l.Options) != diff.ViewOptions(d.Options) {
		return true
	}
	if len(l.Columns) != len(d.Columns) {
		return true
	}
	for i := range l.Columns {
		if l.Columns[i].Name != d.Columns[i].Name || l.Columns[i].Type != d.Columns[i].Type {
			return true
		}
	}
	return false
}

func (b *builder) matViewBroken(v *model.MatView) bool {
	for _, dep := range b.live.Deps[model.ID(model.KindMatView, v.Name)] {
		if b.depBroken(dep) {
			return true
		}
	}
	return false
}

// matViewDropped reports whether a live materialized view is dropped.
func (b *builder) matViewDropped(name model.QName) bool {
	return b.ts != nil && b.ts.droppedMatViews[name]
}

// partitionColumnsSkipped reports whether a table's column changes come
// from its parent.
func (b *builder) partitionColumnsSkipped(name model.QName) bool {
	return b.ts != nil && b.ts.skipColumns[name]
}

// droppedWithParent reports whether a dropped table goes with its dropped
// parent (DROP TABLE of a partitioned table drops its partitions).
func (b *builder) droppedWithParent(name model.QName) bool {
	for t := b.live.Tables[name]; t != nil && t.PartitionOf != nil; t = b.live.Tables[*t.PartitionOf] {
		if b.droppedTables[*t.PartitionOf] {
			return true
		}
	}
	return false
}

// analyzeStatistics finds the statistics objects to drop.
func (b *builder) analyzeStatistics() {
	ts := b.types()
	// Indexes of dropped materialized views go with them (analyzeIndexes
	// ran before the views were analysed).
	for name := range b.droppedIdx {
		if ix := b.live.Indexes[name]; ix != nil && ts.droppedMatViews[ix.Table] {
			delete(b.droppedIdx, name)
		}
	}
	for name, l := range b.live.Statistics {
		if b.droppedTables[l.Table] || ts.droppedMatViews[l.Table] {
			continue
		}
		d := b.desired.Statistics[name]
		if d == nil || d.Definition != l.Definition || d.Table != l.Table {
			ts.droppedStats[name] = true
		}
	}
}

// ---------------------------------------------------------------- emission

func (b *builder) emitTypes() error {
	ts := b.types()
	if ts.typeErr != nil {
		return ts.typeErr
	}
	for _, t := range b.desired.SortedTables() {
		if l := b.live.Tables[t.Name]; l != nil && l.PartitionBy != t.PartitionBy {
			return fmt.Errorf("plan: table %s changes its partition key (%s → %s); PostgreSQL cannot change a partition key: create a new table and move the data",
				t.Name, orNone(l.PartitionBy), orNone(t.PartitionBy))
		}
	}
	if err := b.emitForeign(); err != nil {
		return err
	}
	b.emitExtensions()
	b.emitTypeDefinitions()
	b.emitPartitions()
	b.emitTableOptions()
	b.emitMatViews()
	b.emitStatistics()
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// --- extensions, collations, text-search configurations

func extensionID(name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindExtension, Name: name}
}

func (b *builder) emitExtensions() {
	names := func(m map[string]*model.Extension) []string {
		var out []string
		for n := range m {
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	for _, n := range extensionOrder(b.desired, names(b.desired.Extensions), false) {
		d, l := b.desired.Extensions[n], b.live.Extensions[n]
		id := extensionID(n)
		switch {
		case l == nil:
			b.add(phaseCreateSchemas, step(fmt.Sprintf("CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s", model.QuoteIdent(n), model.QuoteIdent(d.Schema)),
				"create extension "+model.QuoteIdent(n), id))
		case l.Schema != d.Schema:
			b.add(phaseCreateSchemas, step(fmt.Sprintf("ALTER EXTENSION %s SET SCHEMA %s", model.QuoteIdent(n), model.QuoteIdent(d.Schema)),
				"move extension "+model.QuoteIdent(n), id))
		}
	}
	for _, n := range extensionOrder(b.live, names(b.live.Extensions), true) {
		if b.desired.Extensions[n] == nil {
			b.add(phaseDropExtensions, step("DROP EXTENSION "+model.QuoteIdent(n), "drop extension "+model.QuoteIdent(n), extensionID(n)))
		}
	}
}

// extensionOrder sorts extension names so that each follows the
// extensions it requires (precedes them when reverse is set).
func extensionOrder(m *model.Model, names []string, reverse bool) []string {
	set := map[model.QName]bool{}
	for _, n := range names {
		set[model.QName{Name: n}] = true
	}
	prereq := map[model.QName][]model.QName{}
	for _, n := range names {
		for _, dep := range m.Deps[extensionID(n)] {
			req := model.QName{Name: dep.Name}
			if dep.Kind != model.KindExtension || dep.Name == n || !set[req] {
				continue
			}
			if reverse {
				prereq[req] = append(prereq[req], model.QName{Name: n})
			} else {
				prereq[model.QName{Name: n}] = append(prereq[model.QName{Name: n}], req)
			}
		}
	}
	order, err := topoSort(set, prereq)
	if err != nil {
		return names
	}
	out := make([]string, len(order))
	for i, q := range order {
		out[i] = q.Name
	}
	return out
}

// --- domains, composite and range types, collations, text-search configurations

func (b *builder) emitTypeDefinitions() {
	ts := b.types()
	create := func(id model.ObjectID, fresh bool) bool {
		return fresh || ts.recreatedTypes[id] || ts.droppedTypes[id]
	}
	// Early drops: unused types that are recreated, in the phase of
	// sequences (after the columns and views that could use them went).
	for _, id := range model.SortedIDs(ts.recreatedTypes) {
		b.add(phaseDropSequences, dropType(id))
	}
	for _, d := range b.desired.SortedCollations() {
		id := model.ID(model.KindCollation, d.Name)
		l := b.live.Collations[d.Name]
		if create(id, l == nil) {
			b.add(phaseEnums, createCollation(d))
		}
		b.setComment(id, l == nil || ts.recreatedTypes[id], commentOfCollation(l), d.Comment)
	}
	for _, d := range b.desired.SortedTextSearchConfigs() {
		id := model.ID(model.KindTextSearchCfg, d.Name)
		l := b.live.TextSearchConfigs[d.Name]
		fresh := create(id, l == nil)
		if fresh {
			b.add(phaseEnums, step(fmt.Sprintf("CREATE TEXT SEARCH CONFIGURATION %s (PARSER = %s)", d.Name, d.Parser),
				"create text search configuration "+d.Name.String(), id))
			b.add(phaseEnums, tsMappings(d, nil)...)
		} else {
			b.add(phaseEnums, tsMappings(d, l)...)
		}
		lc := ""
		if l != nil && !fresh {
			lc = l.Comment
		}
		b.setComment(id, fresh, lc, d.Comment)
	}
	order, onTables := b.typeOrder()
	for _, id := range order {
		phase := phaseEnums
		if onTables[id] {
			phase = phaseColumns
		} else if b.domainCallsFunction(id) {
			phase = phaseFunctions
		}
		switch id.Kind {
		case model.KindDomain:
			d, l := b.desired.Domains[id.QName()], b.live.Domains[id.QName()]
			fresh := create(id, l == nil)
			if fresh {
				b.add(phase, createDomain(d)...)
			} else {
				b.add(phase, alterDomain(l, d)...)
			}
			b.domainComments(id, fresh, l, d)
		case model.KindRange:
			d, l := b.desired.Ranges[id.QName()], b.live.Ranges[id.QName()]
			fresh := create(id, l == nil)
			if fresh {
				b.add(phase, createRange(d))
			}
			lc := ""
			if l != nil && !fresh {
				lc = l.Comment
			}
			b.setComment(id, fresh, lc, d.Comment)
		case model.KindComposite:
			d, l := b.desired.Composites[id.QName()], b.live.Composites[id.QName()]
			fresh := create(id, l == nil)
			if fresh {
				b.add(phase, createComposite(d))
			} else {
				b.add(phase, alterComposite(l, d)...)
			}
			lc := ""
			if l != nil && !fresh {
				lc = l.Comment
			}
			b.setComment(id, fresh, lc, d.Comment)
		}
	}
	// Late drops: composites, ranges, then domains, collations and
	// configurations, once no column uses them.
	var late []model.ObjectID
	for id := range ts.droppedTypes {
		late = append(late, id)
	}
	rank := map[model.Kind]int{model.KindComposite: 0, model.KindRange: 1, model.KindDomain: 2, model.KindTextSearchCfg: 3, model.KindCollation: 4}
	sort.Slice(late, func(i, j int) bool {
		if ri, rj := rank[late[i].Kind], rank[late[j].Kind]; ri != rj {
			return ri < rj
		}
		return lessID(late[i], late[j])
	})
	// A type goes after the types built on it (a domain over a composite).
	late = stableTopo(late, func(x, y model.ObjectID) bool {
		return slices.Contains(b.live.Deps[x], y) // x is built on y
	})
	// A type built on a dropped table's row type (directly or through
	// another type) goes before the table, after the functions using it.
	onRows := map[model.ObjectID]bool{}
	for _, id := range slices.Backward(late) {
		for _, dep := range b.live.Deps[id] {
			if dep.Kind == model.KindTable && b.droppedTables[dep.QName()] || onRows[dep] {
				onRows[id] = true
			}
		}
	}
	for _, id := range late {
		p := phaseDropTypes
		if onRows[id] {
			p = phaseDropFunctions
		} else if b.domainGoneBeforeFunctions(id) {
			p = phaseDropSequences
		}
		if id.Kind == model.KindCollation || id.Kind == model.KindTextSearchCfg {
			// Recreated configurations are created again in phaseEnums;
			// those gone go late, before the extensions whose
			// dictionaries and collations they may use.
			if b.desired.TextSearchConfigs[id.QName()] != nil {
				p = phaseDropSequences
			} else {
				p = phaseDropBeforeExtensions
			}
		}
		b.add(p, dropType(id))
	}
}

// typeOrder lists desired's domains, ranges and composite types in the
// order they are created: domains, then ranges, then composites (each may
// be built on the kinds before it), except that a type built on a later one
// (a domain over a composite type) waits until that one is created.
// onTables holds the types built on a table's row type, directly or
// through another type: they are created once the tables are.
func (b *builder) typeOrder() (out []model.ObjectID, onTables map[model.ObjectID]bool) {
	var order []model.ObjectID
	for _, d := range b.desired.SortedDomains() {
		order = append(order, model.ID(model.KindDomain, d.Name))
	}
	for _, r := range b.desired.SortedRanges() {
		order = append(order, model.ID(model.KindRange, r.Name))
	}
	for _, c := range b.compositeOrder() {
		order = append(order, model.ID(model.KindComposite, c.Name))
	}
	in := map[model.QName]bool{}
	for _, id := range order {
		in[id.QName()] = true
	}
	uses := func(id model.ObjectID) []string {
		switch id.Kind {
		case model.KindDomain:
			return []string{b.desired.Domains[id.QName()].Type}
		case model.KindRange:
			return []string{b.desired.Ranges[id.QName()].Subtype}
		}
		var out []string
		for _, a := range b.desired.Composites[id.QName()].Attributes {
			out = append(out, a.Type)
		}
		return out
	}
	prereqs := func(id model.ObjectID) []model.QName {
		var out []model.QName
		for _, dep := range b.desired.Deps[id] {
			if in[dep.QName()] && dep.QName() != id.QName() {
				out = append(out, dep.QName())
			}
		}
		for _, t := range uses(id) {
			for other := range in {
				if other != id.QName() && strings.TrimSuffix(t, "[]") == other.String() {
					out = append(out, other)
				}
			}
		}
		return out
	}
	onTables = map[model.ObjectID]bool{}
	for _, id := range order {
		for _, dep := range b.desired.Deps[id] {
			if dep.Kind == model.KindTable {
				onTables[id] = true
			}
		}
		for _, t := range uses(id) {
			for name := range b.desired.Tables {
				if strings.TrimSuffix(t, "[]") == name.String() {
					onTables[id] = true
				}
			}
		}
	}
	// Stable: each round takes the first type whose prerequisites are
	// created; a cycle (which PostgreSQL does not allow) keeps the order.
	done := map[model.QName]bool{}
	late := map[model.QName]bool{}
	for len(order) > 0 {
		pick := 0
	search:
		for i, id := range order {
			for _, p := range prereqs(id) {
				if !done[p] {
					continue search
				}
			}
			pick = i
			break
		}
		id := order[pick]
		for _, p := range prereqs(id) {
			if late[p] {
				onTables[id] = true
			}
		}
		if onTables[id] {
			late[id.QName()] = true
		}
		out = append(out, id)
		done[id.QName()] = true
		order = append(order[:pick], order[pick+1:]...)
	}
	return out, onTables
}

// compositeOrder sorts desired's composite types so that each follows the
// composite types its attributes use.
func (b *builder) compositeOrder() []*model.Composite {
	set := map[model.QName]bool{}
	for name := range b.desired.Composites {
		set[name] = true
	}
	prereq := map[model.QName][]model.QName{}
	for name, c := range b.desired.Composites {
		for _, dep := range b.desired.Deps[model.ID(model.KindComposite, name)] {
			if dep.Kind == model.KindComposite && dep.QName() != name && set[dep.QName()] {
				prereq[name] = append(prereq[name], dep.QName())
			}
		}
		for _, a := range c.Attributes {
			for other := range set {
				if other != name && strings.TrimSuffix(a.Type, "[]") == other.String() {
					prereq[name] = append(prereq[name], other)
				}
			}
		}
	}
	order, err := topoSort(set, prereq)
	if err != nil {
		return b.desired.SortedComposites()
	}
	out := make([]*model.Composite, len(order))
	for i, n := range order {
		out[i] = b.desired.Composites[n]
	}
	return out
}

func commentOfCollation(c *model.Collation) string {
	if c == nil {
		return ""
	}
	return c.Comment
}

func (b *builder) setComment(id model.ObjectID, fresh bool, live, desired string) {
	if (fresh && desired != "") || (!fresh && live != desired) {
		b.add(phaseComments, comment(id, typeCommentTarget(id), desired))
	}
}

func (b *builder) domainComments(id model.ObjectID, fresh bool, l, d *model.Domain) {
	lc := ""
	if l != nil && !fresh {
		lc = l.Comment
	}
	b.setComment(id, fresh, lc, d.Comment)
	for _, name := range sortedConNames(d.Constraints) {
		dc := d.Constraints[name]
		old, same := "", false
		if l != nil && !fresh {
			if lcon := l.Constraints[name]; lcon != nil && !constraintChanged(lcon, dc) {
				old, same = lcon.Comment, true
			}
		}
		if (same && old != dc.Comment) || (!same && dc.Comment != "") {
			cid := model.ObjectID{Kind: model.KindConstraint, Schema: d.Name.Schema, Name: d.Name.Name, Sub: name}
			b.add(phaseComments, comment(cid, "CONSTRAINT "+model.QuoteIdent(name)+" ON DOMAIN "+d.Name.String(), dc.Comment))
		}
	}
}

func typeCommentTarget(id model.ObjectID) string {
	switch id.Kind {
	case model.KindComposite, model.KindRange:
		return "TYPE " + id.QName().String()
	case model.KindMatView:
		return "MATERIALIZED VIEW " + id.QName().String()
	}
	return strings.ToUpper(string(id.Kind)) + " " + id.QName().String()
}

func dropType(id model.ObjectID) Step {
	verb := "DROP TYPE "
	switch id.Kind {
	case model.KindDomain:
		verb = "DROP DOMAIN "
	case model.KindCollation:
		verb = "DROP COLLATION "
	case model.KindTextSearchCfg:
		verb = "DROP TEXT SEARCH CONFIGURATION "
	}
	return step(verb+id.QName().String(), "drop "+id.String(), id)
}

func createCollation(c *model.Collation) Step {
	opts := []string{"provider = " + c.Provider}
	if c.Locale != "" {
		opts = append(opts, "locale = "+model.QuoteLiteral(c.Locale))
	}
	if c.LcCollate != "" {
		opts = append(opts, "lc_collate = "+model.QuoteLiteral(c.LcCollate))
	}
	if c.LcCtype != "" {
		opts = append(opts, "lc_ctype = "+model.QuoteLiteral(c.LcCtype))
	}
	if !c.Deterministic {
		opts = append(opts, "deterministic = false")
	}
	return step(fmt.Sprintf("CREATE COLLATION %s (%s)", c.Name, strings.Join(opts, ", ")),
		"create collation "+c.Name.String(), model.ID(model.KindCollation, c.Name))
}

// tsMappings turns live's mappings (nil for a new configuration) into
// desired's: DROP MAPPING for token types no longer mapped, ALTER MAPPING
// for those mapped differently, ADD MAPPING for new ones; token types with
// the same dictionaries share a statement.
func tsMappings(d, l *model.TextSearchConfig) []Step {
	parse := func(ms []string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			tok, dicts, _ := strings.Cut(m, ": ")
			out[tok] = dicts
		}
		return out
	}
	want, have := parse(d.Mappings), map[string]string{}
	if l != nil {
		have = parse(l.Mappings)
	}
	id := model.ID(model.KindTextSearchCfg, d.Name)
	alter := func(action string) Step {
		return step("ALTER TEXT SEARCH CONFIGURATION "+d.Name.String()+" "+action, "alter text search configuration "+d.Name.String(), id)
	}
	var out []Step
	var drop []string
	for tok := range have {
		if _, ok := want[tok]; !ok {
			drop = append(drop, tok)
		}
	}
	sort.Strings(drop)
	if len(drop) > 0 {
		out = append(out, alter("DROP MAPPING FOR "+strings.Join(drop, ", ")))
	}
	type group struct{ verb, dicts string }
	groups := map[group][]string{}
	for tok, dicts := range want {
		old, mapped := have[tok]
		switch {
		case !mapped:
			groups[group{"ADD", dicts}] = append(groups[group{"ADD", dicts}], tok)
		case old != dicts:
			groups[group{"ALTER", dicts}] = append(groups[group{"ALTER", dicts}], tok)
		}
	}
	keys := make([]group, 0, len(groups))
	for g := range groups {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].verb != keys[j].verb {
			return keys[i].verb < keys[j].verb
		}
		return keys[i].dicts < keys[j].dicts
	})
	for _, g := range keys {
		toks := groups[g]
		sort.Strings(toks)
		out = append(out, alter(g.verb+" MAPPING FOR "+strings.Join(toks, ", ")+" WITH "+g.dicts))
	}
	return out
}

func createDomain(d *model.Domain) []Step {
	id := model.ID(model.KindDomain, d.Name)
	sql := "CREATE DOMAIN " + d.Name.String() + " AS " + d.Type + collate(d.Collation)
	if d.Default != "" {
		sql += " DEFAULT " + d.Default
	}
	if d.NotNull {
		sql += " NOT NULL"
	}
	var late []Step
	for _, name := range sortedConNames(d.Constraints) {
		c := d.Constraints[name]
		if c.Validated {
			sql += " CONSTRAINT " + model.QuoteIdent(name) + " " + c.Definition
		} else {
			late = append(late, step(fmt.Sprintf("ALTER DOMAIN %s ADD CONSTRAINT %s %s", d.Name, model.QuoteIdent(name), c.Definition),
				"add constraint "+model.QuoteIdent(name)+" to domain "+d.Name.String(), id))
		}
	}
	return append([]Step{step(sql, "create domain "+d.Name.String(), id)}, late...)
}

func alterDomain(l, d *model.Domain) []Step {
	id := model.ID(model.KindDomain, d.Name)
	var out []Step
	do := func(action, what string) {
		out = append(out, step("ALTER DOMAIN "+d.Name.String()+" "+action, what+" on domain "+d.Name.String(), id))
	}
	for _, name := range sortedConNames(l.Constraints) {
		if dc := d.Constraints[name]; dc == nil || constraintChanged(l.Constraints[name], dc) {
			do("DROP CONSTRAINT "+model.QuoteIdent(name), "drop constraint "+model.QuoteIdent(name))
		}
	}
	if l.Default != d.Default {
		if d.Default == "" {
			do("DROP DEFAULT", "drop default")
		} else {
			do("SET DEFAULT "+d.Default, "set default")
		}
	}
	if l.NotNull != d.NotNull {
		if d.NotNull {
			do("SET NOT NULL", "set not null")
		} else {
			do("DROP NOT NULL", "drop not null")
		}
	}
	for _, name := range sortedConNames(d.Constraints) {
		dc, lc := d.Constraints[name], l.Constraints[name]
		switch {
		case lc == nil || constraintChanged(lc, dc):
			do("ADD CONSTRAINT "+model.QuoteIdent(name)+" "+dc.Definition, "add constraint "+model.QuoteIdent(name))
		case !lc.Validated && dc.Validated:
			s := step("ALTER DOMAIN "+d.Name.String()+" VALIDATE CONSTRAINT "+model.QuoteIdent(name),
				"validate constraint "+model.QuoteIdent(name)+" on domain "+d.Name.String(), id)
			out = append(out, s)
		}
	}
	return out
}

func sortedConNames(m map[string]*model.Constraint) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func attributeDefinition(a *model.Attribute) string {
	return model.QuoteIdent(a.Name) + " " + a.Type + collate(a.Collation)
}

func createComposite(c *model.Composite) Step {
	parts := make([]string, len(c.Attributes))
	for i, a := range c.Attributes {
		parts[i] = "    " + attributeDefinition(a)
	}
	body := "()"
	if len(parts) > 0 {
		body = "(\n" + strings.Join(parts, ",\n") + "\n)"
	}
	return step("CREATE TYPE "+c.Name.String()+" AS "+body, "create type "+c.Name.String(), model.ID(model.KindComposite, c.Name))
}

// alterComposite drops, alters and adds attributes in one ALTER TYPE;
// attributesAlterable has checked that the order works out.
func alterComposite(l, d *model.Composite) []Step {
	want := map[string]*model.Attribute{}
	for _, a := range d.Attributes {
		want[a.Name] = a
	}
	have := map[string]*model.Attribute{}
	var actions []string
	for _, a := range l.Attributes {
		have[a.Name] = a
		w := want[a.Name]
		switch {
		case w == nil:
			actions = append(actions, "DROP ATTRIBUTE "+model.QuoteIdent(a.Name))
		case w.Type != a.Type || w.Collation != a.Collation:
			actions = append(actions, "ALTER ATTRIBUTE "+model.QuoteIdent(a.Name)+" TYPE "+w.Type+collate(w.Collation))
		}
	}
	for _, a := range d.Attributes {
		if have[a.Name] == nil {
			actions = append(actions, "ADD ATTRIBUTE "+attributeDefinition(a))
		}
	}
	if len(actions) == 0 {
		return nil
	}
	return []Step{step("ALTER TYPE "+d.Name.String()+" "+strings.Join(actions, ", "), "alter type "+d.Name.String(), model.ID(model.KindComposite, d.Name))}
}

func createRange(r *model.Range) Step {
	opts := []string{"SUBTYPE = " + r.Subtype}
	if r.OpClass != "" {
		opts = append(opts, "SUBTYPE_OPCLASS = "+r.OpClass)
	}
	if r.Collation != "" {
		opts = append(opts, "COLLATION = "+r.Collation)
	}
	if r.Canonical != "" {
		opts = append(opts, "CANONICAL = "+r.Canonical)
	}
	if r.SubtypeDiff != "" {
		opts = append(opts, "SUBTYPE_DIFF = "+r.SubtypeDiff)
	}
	if r.Multirange.Name != "" {
		opts = append(opts, "MULTIRANGE_TYPE_NAME = "+r.Multirange.String())
	}
	return step(fmt.Sprintf("CREATE TYPE %s AS RANGE (%s)", r.Name, strings.Join(opts, ", ")),
		"create type "+r.Name.String(), model.ID(model.KindRange, r.Name))
}

// --- partitions

// emitPartitions creates new partitions (parents first), detaches those
// that leave their parent and attaches those that join one.
func (b *builder) emitPartitions() {
	ts := b.types()
	for _, name := range sortedNames(ts.detached) {
		l := b.live.Tables[name]
		// Detached even when the old parent is dropped: DROP TABLE on the
		// parent would take the partition with it.
		b.add(phaseDropConstraints, step(fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s", l.PartitionOf, name),
			"detach partition "+name.String(), tableID(name)))
		b.add(phaseDropConstraints, b.leftoverSteps(name)...)
		b.add(phaseDropConstraints, b.detachedIndexDrops(name)...)
	}
	var created, attach []*model.Table
	for _, d := range b.desired.SortedTables() {
		if d.PartitionOf == nil {
			continue
		}
		l := b.live.Tables[d.Name]
		switch {
		case l == nil:
			created = append(created, d)
		case l.PartitionOf == nil || ts.detached[d.Name]:
			attach = append(attach, d)
		}
	}
	byDepth := func(ts []*model.Table) {
		sort.SliceStable(ts, func(i, j int) bool {
			return b.desired.PartitionDepth(ts[i].Name) < b.desired.PartitionDepth(ts[j].Name)
		})
	}
	byDepth(created)
	byDepth(attach)
	for _, d := range created {
		adopt := b.keysBackingParentIndexes(d)
		if len(adopt) == 0 {
			b.add(phaseCreatePartitions, createPartition(d, b.desired.Tables[*d.PartitionOf]))
		} else {
			// The key is made from the index CREATE TABLE … PARTITION OF
			// builds for the parent's index, rather than as a second one.
			rest := *d
			rest.Constraints = map[string]*model.Constraint{}
			for n, c := range d.Constraints {
				if _, ok := adopt[n]; !ok {
					rest.Constraints[n] = c
				}
			}
			b.add(phaseCreatePartitions, createPartition(&rest, b.desired.Tables[*d.PartitionOf]))
			for _, n := range slices.Sorted(maps.Keys(adopt)) {
				b.add(phaseCreatePartitions, adoptPartitionIndex(d.Name, d.Constraints[n], adopt[n]))
			}
		}
		b.add(phaseCreatePartitions, b.inheritedDefaultDrops(d)...)
	}
	for _, d := range attach {
		before, after := b.attachIndexSteps(d)
		b.add(phaseAttachPartitions, before...)
		b.add(phaseAttachPartitions, b.attachCheckSteps(d)...)
		b.add(phaseAttachPartitions, step(fmt.Sprintf("ALTER TABLE %s ATTACH PARTITION %s %s", d.PartitionOf, d.Name, d.Bound),
			"attach partition "+d.Name.String(), tableID(d.Name)))
		b.add(phaseAttachPartitions, after...)
	}
}

// keysBackingParentIndexes returns the unique and primary keys of a new
// partition that desired has as the index attached to an index its parent
// already has on live, by constraint name, with that parent index.
func (b *builder) keysBackingParentIndexes(d *model.Table) map[string]model.QName {
	out := map[string]model.QName{}
	for _, ix := range b.desired.IndexesOn(*d.PartitionOf) {
		if b.live.Indexes[ix.Name] == nil || b.droppedIdx[ix.Name] {
			continue
		}
		for _, pi := range ix.Partitions {
			if pi.Table != d.Name || !partitionKeyIndex(d, pi.Name) {
				continue
			}
			if _, ok := usingIndexTail(d.Constraints[pi.Name]); ok {
				out[pi.Name] = ix.Name
			}
		}
	}
	return out
}

// usingIndexTail returns what follows a key's column list when it is only
// DEFERRABLE / INITIALLY clauses, which ADD CONSTRAINT … USING INDEX takes.
func usingIndexTail(c *model.Constraint) (string, bool) {
	i := strings.LastIndex(c.Definition, ")")
	if i < 0 {
		return "", false
	}
	tail := strings.TrimSpace(c.Definition[i+1:])
	for _, w := range strings.Fields(tail) {
		switch w {
		case "DEFERRABLE", "NOT", "INITIALLY", "DEFERRED", "IMMEDIATE":
		default:
			return "", false
		}
	}
	return tail, true
}

// adoptPartitionIndex makes a partition's key from the index PostgreSQL
// built on it for its parent's index (named by PostgreSQL, so found by its
// parent): ADD CONSTRAINT … USING INDEX renames it to the key's name.
func adoptPartitionIndex(table model.QName, c *model.Constraint, parentIndex model.QName) Step {
	kind := "UNIQUE"
	if c.Type == model.PrimaryKey {
		kind = "PRIMARY KEY"
	}
	tail, _ := usingIndexTail(c)
	if tail != "" {
		tail = " " + tail
	}
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  idx text;
BEGIN
  %[1]s
  EXECUTE format('ALTER TABLE %%s ADD CONSTRAINT %%I %[3]s USING INDEX %%I%[4]s', %[2]s, %[5]s, idx);
END
$pgflux$`, attachedIndexSelect("idx", parentIndex, table), model.QuoteLiteral(table.String()), kind, tail, model.QuoteLiteral(c.Name))
	return step(sql, fmt.Sprintf("add %s %s on %s from the index built for %s", strings.ToLower(kind), model.QuoteIdent(c.Name), table, parentIndex),
		constraintID(table, c.Name))
}

// partitioned reports whether a table is, or becomes, partitioned.
func (b *builder) partitioned(name model.QName) bool {
	l, d := b.live.Tables[name], b.desired.Tables[name]
	return l != nil && l.PartitionBy != "" || d != nil && d.PartitionBy != ""
}

// partitionDefaultSteps plans the default changes of a partition that
// stays attached: its parent's default changes do not recurse (ONLY), and
// a partition's default may differ from its parent's (GitLab sets a
// sequence default with ALTER TABLE ONLY parent after the partitions
// exist, and they keep none). A type change recursing from the parent
// needs the default off first, like on the parent.
func (b *builder) partitionDefaultSteps(d *model.Table) {
	l := b.live.Tables[d.Name]
	for _, dc := range d.Columns {
		if dc.Identity != model.IdentityNone || dc.Generated != "" {
			continue
		}
		k := colKey{d.Name, dc.Name}
		retype, added := false, ""
		for t := d; t != nil && t.PartitionOf != nil; t = b.desired.Tables[*t.PartitionOf] {
			pk := colKey{*t.PartitionOf, dc.Name}
			retype = retype || b.retypedCols[pk]
			lp, dp := b.live.Tables[pk.table], b.desired.Tables[pk.table]
			if dp != nil && dp.Column(dc.Name) != nil && (lp == nil || lp.Column(dc.Name) == nil || b.recreatedCols[pk]) {
				// ADD COLUMN on an ancestor recurses with its default.
				added = dp.Column(dc.Name).Default
			}
		}
		lc := l.Column(dc.Name)
		if lc == nil {
			if dc.Default != added {
				b.add(phaseColumns, b.setPartitionDefault(d.Name, dc))
			}
			continue
		}
		reset := retype || b.usesDroppedSequence(k, lc.Default) || b.usesDroppedFunction(columnID(d.Name, dc.Name)) ||
			lc.Default != "" && b.spellsRecreatedEnum(columnID(d.Name, dc.Name), lc.Default)
		if lc.Default != "" && (dc.Default == "" || reset) {
			b.add(phaseDropColumnParts, alterColumnDefault(d.Name, dc.Name, "DROP DEFAULT", "drop default", true))
		}
		if dc.Default != "" && (dc.Default != lc.Default || reset) {
			b.add(phaseColumns, b.setPartitionDefault(d.Name, dc))
		}
	}
}

// setPartitionDefault sets (or drops) a partition column's own default.
func (b *builder) setPartitionDefault(table model.QName, c *model.Column) Step {
	if c.Default == "" {
		return alterColumnDefault(table, c.Name, "DROP DEFAULT", "drop default", true)
	}
	return alterColumnDefault(table, c.Name, "SET DEFAULT "+c.Default, "set default", true)
}

// inheritedDefaultDrops drops the defaults a new partition takes from its
// parent (live or desired) but does not have itself: CREATE TABLE …
// PARTITION OF copies the parent's defaults, whatever the order the
// parent's own default is set in.
func (b *builder) inheritedDefaultDrops(t *model.Table) []Step {
	var out []Step
	parents := []*model.Table{b.desired.Tables[*t.PartitionOf], b.live.Tables[*t.PartitionOf]}
	for _, c := range t.Columns {
		if c.Default != "" || c.Identity != model.IdentityNone || c.Generated != "" {
			continue
		}
		for _, p := range parents {
			if p == nil {
				continue
			}
			if pc := p.Column(c.Name); pc != nil && pc.Default != "" {
				out = append(out, alterColumnDefault(t.Name, c.Name, "DROP DEFAULT", "drop default", true))
				break
			}
		}
	}
	return out
}

// createPartition creates a partition with its parent's columns, setting
// its own defaults and NOT NULL, and its local constraints. A NOT NULL the
// parent's column has is inherited and not repeated: on PostgreSQL 18 a
// repeated one is a local constraint of the partition's own name, which
// the parent's ALTER COLUMN … TYPE then fails to recreate ("a not-null
// constraint named … already exists"), where a partition made by ATTACH
// PARTITION or a plain PARTITION OF has the inherited one only.
func createPartition(t, parent *model.Table) Step {
	var lines []string
	for _, c := range t.Columns {
		notNull := c.NotNull
		if parent != nil {
			if pc := parent.Column(c.Name); pc != nil && pc.NotNull {
				notNull = false
			}
		}
		if c.Identity != model.IdentityNone || c.Generated != "" || (c.Default == "" && !notNull) {
			continue
		}
		line := "    " + model.QuoteIdent(c.Name) + " WITH OPTIONS"
		if c.Default != "" {
			line += " DEFAULT " + c.Default
		}
		if notNull {
			line += " NOT NULL"
		}
		lines = append(lines, line)
	}
	for _, c := range t.SortedConstraints() {
		if inlineConstraint(c) {
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s %s", model.QuoteIdent(c.Name), c.Definition))
		}
	}
	sql := "CREATE " + persistence(t) + "TABLE " + t.Name.String() + " PARTITION OF " + t.PartitionOf.String()
	if len(lines) > 0 {
		sql += " (\n" + strings.Join(lines, ",\n") + "\n)"
	}
	sql += " " + t.Bound
	if t.PartitionBy != "" {
		sql += " PARTITION BY " + t.PartitionBy
	}
	if len(t.Options) > 0 {
		sql += " WITH (" + strings.Join(t.Options, ", ") + ")"
	}
	return step(sql, "create partition "+t.Name.String(), tableID(t.Name))
}

func persistence(t *model.Table) string {
	if t.Unlogged {
		return "UNLOGGED "
	}
	return ""
}

// tableClauses are what CREATE TABLE adds after the column list for a
// partitioned table and storage parameters.
func tableClauses(t *model.Table) string {
	s := ""
	if t.PartitionBy != "" {
		s += " PARTITION BY " + t.PartitionBy
	}
	if len(t.Options) > 0 {
		s += " WITH (" + strings.Join(t.Options, ", ") + ")"
	}
	return s
}

// --- table options, persistence, column storage

func (b *builder) emitTableOptions() {
	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		if l != nil {
			if l.Unlogged != d.Unlogged && d.PartitionBy == "" {
				what := "SET LOGGED"
				if d.Unlogged {
					what = "SET UNLOGGED"
				}
				b.add(phaseColumns, step("ALTER TABLE "+d.Name.String()+" "+what, strings.ToLower(what)+" on table "+d.Name.String(), tableID(d.Name)))
			}
			if set, reset := optionChanges(l.Options, d.Options); len(set)+len(reset) > 0 {
				if len(reset) > 0 {
					b.add(phaseColumns, step("ALTER TABLE "+d.Name.String()+" RESET ("+strings.Join(reset, ", ")+")", "reset options of table "+d.Name.String(), tableID(d.Name)))
				}
				if len(set) > 0 {
					b.add(phaseColumns, step("ALTER TABLE "+d.Name.String()+" SET ("+strings.Join(set, ", ")+")", "set options of table "+d.Name.String(), tableID(d.Name)))
				}
			}
		}
		if l != nil && b.partitionColumnsSkipped(d.Name) {
			continue
		}
		for _, dc := range d.Columns {
			var lc *model.Column
			if l != nil && !b.recreatedCols[colKey{d.Name, dc.Name}] {
				lc = l.Column(dc.Name)
			}
			if lc == nil {
				// New column: compression was part of its definition.
				if dc.Storage != "" {
					b.add(phaseColumns, alterColumn(d.Name, dc.Name, "SET STORAGE "+strings.ToUpper(dc.Storage), "set storage"))
				}
				b.columnStats(d.Name, &model.Column{}, dc)
				continue
			}
			b.columnStats(d.Name, lc, dc)
			if lc.Storage != dc.Storage {
				st := dc.Storage
				if st == "" {
					st = dc.TypeStorage
				}
				if st != "" {
					b.add(phaseColumns, alterColumn(d.Name, dc.Name, "SET STORAGE "+strings.ToUpper(st), "set storage"))
				}
			}
			if lc.Compression != dc.Compression {
				c := dc.Compression
				if c == "" {
					c = "default"
				}
				b.add(phaseColumns, alterColumn(d.Name, dc.Name, "SET COMPRESSION "+c, "set compression"))
			}
		}
	}
}

// columnStats sets a column's statistics target and options where they
// differ from live (a zero Column for a column created by the plan).
func (b *builder) columnStats(table model.QName, lc, dc *model.Column) {
	if lc.StatsTarget != dc.StatsTarget {
		b.add(phaseColumns, alterColumn(table, dc.Name, "SET STATISTICS "+statsTarget(dc.StatsTarget), "set statistics"))
	}
	set, reset := optionChanges(lc.Options, dc.Options)
	if len(reset) > 0 {
		b.add(phaseColumns, alterColumn(table, dc.Name, "RESET ("+strings.Join(reset, ", ")+")", "reset options"))
	}
	if len(set) > 0 {
		b.add(phaseColumns, alterColumn(table, dc.Name, "SET ("+strings.Join(set, ", ")+")", "set options"))
	}
}

// statsTarget is the SET STATISTICS value of a model target: -1 for the
// default.
func statsTarget(t string) string {
	if t == "" {
		return "-1"
	}
	return t
}

// indexStats sets the statistics targets of an index's columns where they
// differ from live (nil for an index created by the plan): a new index
// starts with none.
func (b *builder) indexStats(p phase, l, d *model.Index) {
	have := map[string]string{}
	if l != nil {
		for _, t := range l.StatsTargets {
			col, v, _ := strings.Cut(t, "=")
			have[col] = v
		}
	}
	want := map[string]string{}
	for _, t := range d.StatsTargets {
		col, v, _ := strings.Cut(t, "=")
		want[col] = v
	}
	set := func(col, v string) {
		b.add(p, step(fmt.Sprintf("ALTER INDEX %s ALTER COLUMN %s SET STATISTICS %s", d.Name, col, statsTarget(v)),
			"set statistics of column "+col+" of index "+d.Name.String(), indexID(d.Name)))
	}
	if l != nil {
		for _, t := range l.StatsTargets {
			if col, _, _ := strings.Cut(t, "="); want[col] == "" {
				set(col, "")
			}
		}
	}
	for _, t := range d.StatsTargets {
		if col, v, _ := strings.Cut(t, "="); have[col] != v {
			set(col, v)
		}
	}
}

// optionChanges returns the "k=v" options to set and the keys to reset.
func optionChanges(live, desired []string) (set, reset []string) {
	key := func(o string) string { k, _, _ := strings.Cut(o, "="); return k }
	want := map[string]string{}
	for _, o := range desired {
		want[key(o)] = o
	}
	have := map[string]string{}
	for _, o := range live {
		have[key(o)] = o
		if _, ok := want[key(o)]; !ok {
			reset = append(reset, key(o))
		}
	}
	for _, o := range desired {
		if have[key(o)] != o {
			set = append(set, o)
		}
	}
	sort.Strings(set)
	sort.Strings(reset)
	return set, reset
}

// --- materialized views

func matViewID(name model.QName) model.ObjectID { return model.ID(model.KindMatView, name) }

func (b *builder) emitMatViews() {
	ts := b.types()
	// Views and materialized views can be built on each other: both are
	// dropped, and created, in one dependency order.
	b.out[phaseDropViews] = b.relOrder(b.live, b.out[phaseDropViews], ts.droppedMatViews, true, func(name model.QName) Step {
		return step("DROP MATERIALIZED VIEW "+name.String(), "drop materialized view "+name.String(), matViewID(name))
	})
	set := map[model.QName]bool{}
	for name := range b.desired.MatViews {
		if b.live.MatViews[name] == nil || ts.droppedMatViews[name] {
			set[name] = true
		}
	}
	b.out[phaseCreateViews] = b.relOrder(b.desired, b.out[phaseCreateViews], set, false, func(name model.QName) Step {
		d := b.desired.MatViews[name]
		sql := "CREATE MATERIALIZED VIEW " + d.Name.String()
		if len(d.Options) > 0 {
			sql += " WITH (" + strings.Join(d.Options, ", ") + ")"
		}
		sql += " AS\n" + diff.ViewQuery(d.Definition)
		return step(sql, "create materialized view "+name.String(), matViewID(name))
	})
	for _, ix := range b.desired.SortedIndexes() {
		if b.desired.MatViews[ix.Table] == nil {
			continue
		}
		if set[ix.Table] || b.live.Indexes[ix.Name] == nil || b.droppedIdx[ix.Name] {
			b.add(phaseMatViewIndexes, createIndex(ix))
			b.indexStats(phaseMatViewIndexes, nil, ix)
		} else {
			if diff.InvalidInLive(b.live.Indexes[ix.Name], ix) {
				b.add(phaseMatViewIndexes, reindexInvalid(ix.Name))
			}
			b.indexStats(phaseMatViewIndexes, b.live.Indexes[ix.Name], ix)
		}
	}
	for _, d := range b.desired.SortedMatViews() {
		fresh := set[d.Name]
		l := b.live.MatViews[d.Name]
		lc := ""
		if !fresh {
			lc = l.Comment
		}
		b.setComment(matViewID(d.Name), fresh, lc, d.Comment)
		for _, dc := range d.Columns {
			old := ""
			if !fresh {
				for _, c := range l.Columns {
					if c.Name == dc.Name {
						old = c.Comment
					}
				}
			}
			id := columnID(d.Name, dc.Name)
			if (fresh && dc.Comment != "") || (!fresh && old != dc.Comment) {
				b.add(phaseComments, comment(id, commentTarget(id), dc.Comment))
			}
		}
	}
}

// relOrder merges the steps of materialized views (one per name in mvs,
// made by mk) into the view steps of a phase, ordering the whole so that
// each relation follows those it is built on in m (precedes them when
// reverse is set). Views and materialized views share pg_class's names.
func (b *builder) relOrder(m *model.Model, viewSteps []Step, mvs map[model.QName]bool, reverse bool, mk func(model.QName) Step) []Step {
	if len(mvs) == 0 {
		return viewSteps
	}
	set := map[model.QName]bool{}
	byName := map[model.QName][]Step{}
	var order []model.QName // view steps without a name of their own keep their place first
	var loose []Step
	for _, s := range viewSteps {
		if s.Object.Kind != model.KindView {
			loose = append(loose, s)
			continue
		}
		n := s.Object.QName()
		if !set[n] {
			set[n] = true
			order = append(order, n)
		}
		byName[n] = append(byName[n], s)
	}
	for n := range mvs {
		set[n] = true
		byName[n] = append(byName[n], mk(n))
	}
	prereq := map[model.QName][]model.QName{}
	link := func(n, dep model.QName) {
		if dep == n || !set[dep] {
			return
		}
		if reverse {
			prereq[dep] = append(prereq[dep], n)
		} else {
			prereq[n] = append(prereq[n], dep)
		}
	}
	for n := range set {
		var deps []model.ObjectID
		if v := m.Views[n]; v != nil {
			deps = viewDeps(m, v)
		} else {
			deps = m.Deps[matViewID(n)]
		}
		for _, dep := range deps {
			if dep.Kind == model.KindView || dep.Kind == model.KindMatView {
				link(n, dep.QName())
			}
		}
	}
	sorted, err := topoSort(set, prereq)
	if err != nil {
		sorted = append(order, sortedNames(mvs)...)
	}
	out := loose
	for _, n := range sorted {
		out = append(out, byName[n]...)
	}
	return out
}

// --- statistics

func statisticsID(name model.QName) model.ObjectID { return model.ID(model.KindStatistics, name) }

func (b *builder) emitStatistics() {
	ts := b.types()
	for _, name := range sortedNames(ts.droppedStats) {
		b.add(phaseDropConstraints, step("DROP STATISTICS "+name.String(), "drop statistics "+name.String(), statisticsID(name)))
	}
	for _, d := range b.desired.SortedStatistics() {
		l := b.live.Statistics[d.Name]
		fresh := l == nil || ts.droppedStats[d.Name] || b.droppedTables[l.Table] || ts.droppedMatViews[l.Table]
		id := statisticsID(d.Name)
		if fresh {
			b.add(phaseCreateStatistics, step(strings.TrimSuffix(strings.TrimSpace(d.Definition), ";"), "create statistics "+d.Name.String(), id))
		}
		if t := target(d.Target); (fresh && d.Target != nil) || (!fresh && target(l.Target) != t) {
			if t == "" {
				t = "-1"
			}
			b.add(phaseCreateStatistics, step("ALTER STATISTICS "+d.Name.String()+" SET STATISTICS "+t, "set statistics target of "+d.Name.String(), id))
		}
		lc := ""
		if !fresh {
			lc = l.Comment
		}
		b.setComment(id, fresh, lc, d.Comment)
	}
}

func target(t *int) string {
	if t == nil {
		return ""
	}
	return fmt.Sprint(*t)
}

// stableTopo reorders ids so that whenever first(x, y), x comes before y,
// and otherwise keeps their order: each round takes the first id that no
// remaining id must precede. A cycle keeps the order.
func stableTopo(ids []model.ObjectID, first func(x, y model.ObjectID) bool) []model.ObjectID {
	rest := append([]model.ObjectID(nil), ids...)
	out := make([]model.ObjectID, 0, len(ids))
	for len(rest) > 0 {
		pick := 0
	search:
		for i, y := range rest {
			for j, x := range rest {
				if i != j && first(x, y) {
					continue search
				}
			}
			pick = i
			break
		}
		out = append(out, rest[pick])
		rest = append(rest[:pick], rest[pick+1:]...)
	}
	return out
}

// partitionIndexChanges renames the partition indexes of a kept index whose
// names differ, and creates and attaches those missing on partitions that
// stay; new and newly attached partitions get theirs from PostgreSQL.
func (b *builder) partitionIndexChanges(l, d *model.Index) []Step {
	live := map[model.QName]string{}
	for _, c := range l.Partitions {
		live[c.Table] = c.Name
	}
	var out []Step
	var missing []model.PartitionIndex
	for _, c := range d.Partitions {
		name, ok := live[c.Table]
		switch {
		case ok && name != c.Name:
			from := model.QName{Schema: c.Table.Schema, Name: name}
			out = append(out, step(fmt.Sprintf("ALTER INDEX %s RENAME TO %s", from, model.QuoteIdent(c.Name)),
				"rename index "+from.String()+" to "+model.QuoteIdent(c.Name), indexID(from)))
		case !ok && b.partitionStays(c.Table):
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		if steps, ok := b.partitionIndexSteps(d, missing); ok {
			out = append(out, steps...)
		}
	}
	return out
}

// partitionStays reports whether a live partition stays attached to the
// same parent.
func (b *builder) partitionStays(name model.QName) bool {
	l, d := b.live.Tables[name], b.desired.Tables[name]
	return l != nil && d != nil && l.PartitionOf != nil && !b.droppedTables[name] && !b.types().detached[name] &&
		d.PartitionOf != nil && *d.PartitionOf == *l.PartitionOf
}

// partitionIndexDropped reports whether a kept index keeps a partition
// index the desired schema does not have: an attached index cannot be
// detached, so the index is created again.
func (b *builder) partitionIndexDropped(l, d *model.Index) bool {
	want := map[model.QName]bool{}
	for _, c := range d.Partitions {
		want[c.Table] = true
	}
	for _, c := range l.Partitions {
		if !want[c.Table] && b.partitionStays(c.Table) {
			return true
		}
	}
	return false
}
