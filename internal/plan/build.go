package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// Options tune the planner's safety rewrites (see Rewrite). The zero value
// turns the optional ones off; DefaultOptions has the documented defaults.
type Options struct {
	// AutoNotValid adds CHECK and FOREIGN KEY constraints to existing
	// tables NOT VALID and validates them in a step of their own.
	AutoNotValid bool
	// SetNotNullRelTuplesHint is the row estimate above which SET NOT NULL
	// on an existing table is staged through a validated CHECK; 0 disables
	// the rewrite.
	SetNotNullRelTuplesHint float64
	// Major is the live server's PostgreSQL major version; statements only
	// newer majors accept are planned for those (see version.go). 0 plans
	// for every supported major.
	Major int
	// Using are the source's conversions for column type changes
	// ("-- @using" hints, see QualifiedUsing).
	Using map[model.ColumnRef]string
}

// Build plans the steps that turn live into desired. Build(model.New(), m)
// recreates m from nothing.
//
// Steps come in phases, each sorted by dependency and then by name:
// everything that must go is dropped first (dependent views, then foreign
// keys, then indexes and constraints, then defaults and identities, then
// columns, tables and sequences), then schemas, types, sequences, tables
// and columns are created or altered, types no longer used are dropped,
// constraints, indexes and foreign keys are added, sequence ownership is
// set, views are created, comments are set, and emptied schemas are
// dropped last. Within that shape the steps are then sorted by what
// PostgreSQL records in pg_depend (order.go), so that a dependency the
// phases do not foresee still comes first.
func Build(live, desired *model.Model, opts Options) (*Plan, error) {
	// A table whose partition layout changes is recreated (repartition.go):
	// the rest of the plan sees live without it.
	rp, live := planRepartitions(live, desired)
	if err := rp.refusal(); err != nil {
		return nil, err
	}
	b := newBuilder(live, desired, opts)
	rp.rebind(b)
	b.analyze()
	if err := b.emit(); err != nil {
		return nil, err
	}
	rp.emit(b)
	var all []orderedStep
	for ph, steps := range b.out {
		for _, s := range steps {
			all = append(all, orderedStep{Step: s, phase: phase(ph)})
		}
	}
	return &Plan{Steps: dependencyOrder(live, desired, all), Conversions: b.conversions, RowChecks: partitionRowChecks(live, desired, rp)}, nil
}

// phase is a group of steps; phases run in declaration order.
type phase int

const (
	// Session settings the plan needs (function bodies unchecked).
	phaseSettings phase = iota
	// Tables recreated with a new partition layout: the row guard, the
	// policies and foreign keys that use them dropped, partitions that stay
	// detached (repartition.go); their views go with the dropped views.
	phaseRepartitionAside
	// Revokes, policy and publication drops run while every live object
	// still exists (see security.go).
	phaseSecurityEarly
	phaseDropTriggers      // and event triggers
	phaseDropViewFunctions // functions on dropped views' row types
	phaseDropViews         // and materialized views
	phaseDropForeignKeys
	phaseDropConstraints // indexes, other constraints, sequence ownership
	phaseDropColumnParts // defaults, identities, generation expressions
	phaseDropFunctions   // before tables whose row types they use
	phaseDropColumns     // columns, then tables
	// Sequences go once no default uses them, and before anything (a
	// serial's sequence, an identity's implicit one) reuses their names.
	phaseDropSequences
	phaseDropFunctionsLate // functions that dropped tables still used
	phaseRepartitionMove   // recreated tables moved aside, once nothing is dropped by their names
	phaseCreateSchemas
	phaseEnums
	phaseSequences
	phaseFunctions // before tables whose defaults and checks call them
	phaseCreateTables
	phaseCreatePartitions // parents first
	phaseColumns
	phaseLateFunctions // functions that depend on tables (row types, BEGIN ATOMIC)
	phaseOperators     // operators whose functions are late; the others go with theirs
	phaseAttachPartitions
	phaseRepartitionCopy // rows into the recreated tables, before keys, triggers and dependents
	// Types go only after the columns that used them have been altered.
	phaseDropTypes
	phaseAddConstraints
	phaseCreateIndexes
	phaseAddForeignKeys
	phaseValidate
	phaseReplicaIdentity // once the index it may name exists
	phaseOwnedBy
	phaseCreateViews   // and materialized views
	phaseViewFunctions // functions that depend on views
	phaseMatViewIndexes
	phaseCreateStatistics
	phaseTriggers
	phaseEventTriggers
	phaseOwners   // ALTER … OWNER TO, before grants that name the owner
	phaseSecurity // row security, policies, publications
	phaseGrants
	phaseComments
	phaseDropBeforeExtensions // collations, text-search configurations, foreign servers: late, since tables use them, but before the extensions that provide their parts
	phaseDropExtensions
	phaseDropSchemas
	numPhases
)

// colKey names a column of a table.
type colKey struct {
	table  model.QName
	column string
}

type builder struct {
	live, desired *model.Model
	opts          Options
	out           [numPhases][]Step

	// desiredParents are the desired tables that have partitions.
	desiredParents map[model.QName]bool

	droppedTables map[model.QName]bool

	// Columns of tables on both sides.
	droppedCols   map[colKey]bool // gone from desired
	recreatedCols map[colKey]bool // dropped and added again (new generated expression)
	retypedCols   map[colKey]bool // ALTER COLUMN TYPE
	enumCols      map[colKey]bool // retyped because their enum type is recreated
	resetDefaults map[colKey]bool // default set again: it spells a recreated enum

	droppedEnums   map[model.QName]bool
	recreatedEnums map[model.QName]string // temporary name of the old type
	liveEnumNames  map[string]model.QName // QName.String() → name
	wantEnumNames  map[string]bool

	droppedSeqs  map[model.QName]bool // gone from desired
	implicitSeqs map[model.QName]bool // dropped along with their owning column
	disownedSeqs map[model.QName]bool // kept, but their owning column goes away

	droppedCons map[model.ObjectID]bool // dropped; added again when desired has them
	// droppedKeyIdx names the indexes of dropped primary key, unique and
	// exclusion constraints (PostgreSQL names them after the constraint).
	droppedKeyIdx map[model.QName]bool
	droppedIdx    map[model.QName]bool // dropped; created again when desired has them
	// cascadedKeys are the partitions' own keys whose index is attached
	// to a dropped parent index: neither can be dropped before the other,
	// so DROP INDEX … CASCADE takes the key (added again when desired has
	// it).
	cascadedKeys map[model.ObjectID]bool

	droppedViews  map[model.QName]bool // dropped first; created again when desired has them
	replacedViews map[model.QName]bool // CREATE OR REPLACE VIEW

	rt  routineState  // functions, triggers, event triggers (routines.go)
	ts  *typeState    // the kinds of types.go
	inh *inheritState // inheritance parents (inherit.go)

	conversions []Conversion // columns.go
}

func newBuilder(live, desired *model.Model, opts Options) *builder {
	parents := map[model.QName]bool{}
	for _, t := range desired.Tables {
		if t.PartitionOf != nil {
			parents[*t.PartitionOf] = true
		}
	}
	return &builder{
		live: live, desired: desired, opts: opts,
		desiredParents: parents,
		droppedTables:  map[model.QName]bool{},
		droppedCols:    map[colKey]bool{},
		recreatedCols:  map[colKey]bool{},
		retypedCols:    map[colKey]bool{},
		enumCols:       map[colKey]bool{},
		resetDefaults:  map[colKey]bool{},
		droppedEnums:   map[model.QName]bool{},
		recreatedEnums: map[model.QName]string{},
		liveEnumNames:  map[string]model.QName{},
		wantEnumNames:  map[string]bool{},
		droppedSeqs:    map[model.QName]bool{},
		implicitSeqs:   map[model.QName]bool{},
		disownedSeqs:   map[model.QName]bool{},
		droppedCons:    map[model.ObjectID]bool{},
		droppedKeyIdx:  map[model.QName]bool{},
		droppedIdx:     map[model.QName]bool{},
		cascadedKeys:   map[model.ObjectID]bool{},
		droppedViews:   map[model.QName]bool{},
		replacedViews:  map[model.QName]bool{},
		rt:             newRoutineState(),
	}
}

// ---------------------------------------------------------------- analysis

// analyze decides, before any SQL is written, what is dropped, recreated
// or altered: later decisions depend on earlier ones (a view over a column
// whose type changes must be recreated, a foreign key onto a replaced
// primary key must be dropped first).
func (b *builder) analyze() {
	for name := range b.live.Tables {
		if b.desired.Tables[name] == nil {
			b.droppedTables[name] = true
		}
	}
	b.analyzePartitions()
	b.analyzeEnums()
	b.analyzeFunctions()
	b.analyzeTypes()
	b.analyzeColumns()
	b.analyzeInheritance()
	b.analyzeSequences()
	b.analyzeConstraints()
	b.analyzeIndexes()
	b.analyzeForeignKeys()
	b.analyzeDetachLeftovers()
	b.analyzeMatViews()
	b.analyzeViews()
	b.analyzeRoutines()
	b.analyzeOperators()
	b.analyzeMatViews()
	b.analyzeStatistics()
}

func (b *builder) analyzeEnums() {
	for name := range b.desired.Enums {
		b.wantEnumNames[name.String()] = true
	}
	for name, l := range b.live.Enums {
		b.liveEnumNames[name.String()] = name
		d := b.desired.Enums[name]
		switch {
		case d == nil:
			b.droppedEnums[name] = true
		case !isSubsequence(l.Labels, d.Labels):
			b.recreatedEnums[name] = b.temporaryTypeName(name)
		}
	}
}

// isSubsequence reports whether every label of a appears in b, in the same
// order: then ADD VALUE can turn a into b.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, l := range b {
		if i < len(a) && a[i] == l {
			i++
		}
	}
	return i == len(a)
}

// temporaryTypeName picks the name a recreated enum's old type is renamed
// to: unused by any type or relation (relations have row types) on either
// side, and within PostgreSQL's 63-byte limit.
func (b *builder) temporaryTypeName(name model.QName) string {
	taken := func(n string) bool {
		q := model.QName{Schema: name.Schema, Name: n}
		for _, m := range []*model.Model{b.live, b.desired} {
			if m.Enums[q] != nil || m.Tables[q] != nil || m.Views[q] != nil || m.Sequences[q] != nil {
				return true
			}
		}
		return false
	}
	for i := 0; ; i++ {
		suffix := "_old"
		if i > 0 {
			suffix += strconv.Itoa(i)
		}
		n := truncateIdent(name.Name, 63-len(suffix)) + suffix
		if !taken(n) {
			return n
		}
	}
}

// truncateIdent cuts s to at most n bytes without splitting a character.
func truncateIdent(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// recreatedEnumOf returns the recreated enum a column type is (or is an array of).
func (b *builder) recreatedEnumOf(typ string) (model.QName, bool) {
	name, ok := b.liveEnumNames[strings.TrimSuffix(typ, "[]")]
	if !ok {
		return model.QName{}, false
	}
	_, recreated := b.recreatedEnums[name]
	return name, recreated
}

func (b *builder) analyzeColumns() {
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		if d == nil || b.partitionColumnsSkipped(l.Name) {
			continue
		}
		for _, lc := range l.Columns {
			k := colKey{l.Name, lc.Name}
			dc := d.Column(lc.Name)
			switch {
			case dc == nil:
				b.droppedCols[k] = true
				continue
			case dc.Generated != "" && dc.Generated != lc.Generated && !b.setsExpression(l.Name, lc, dc), recreatesVirtual(lc, dc):
				// PostgreSQL cannot add a generation expression, nor change
				// one before 17.
				b.recreatedCols[k] = true
				continue
			}
			if lc.Type != dc.Type || lc.Collation != dc.Collation {
				b.retypedCols[k] = true
			}
			if _, ok := b.recreatedEnumOf(lc.Type); ok {
				b.retypedCols[k] = true
				b.enumCols[k] = true
			}
			if lc.Default != "" && b.spellsRecreatedEnum(columnID(l.Name, lc.Name), lc.Default) {
				b.resetDefaults[k] = true
			}
		}
		// A generated column blocks type changes of the columns it reads:
		// it is dropped and added again around them.
		for _, lc := range l.Columns {
			k := colKey{l.Name, lc.Name}
			dc := d.Column(lc.Name)
			if dc == nil || lc.Generated == "" || dc.Generated == "" || b.recreatedCols[k] {
				continue
			}
			for _, src := range l.Columns {
				sk := colKey{l.Name, src.Name}
				if src.Name != lc.Name && b.retypedCols[sk] &&
					(hasDep(b.live, columnID(l.Name, lc.Name), columnID(l.Name, src.Name)) || mentionsIdent(lc.Generated, src.Name)) {
					b.recreatedCols[k] = true
					delete(b.retypedCols, k)
					break
				}
			}
		}
	}
}

func hasDep(m *model.Model, from, to model.ObjectID) bool {
	for _, d := range m.Deps[from] {
		if d == to {
			return true
		}
	}
	return false
}

// spellsRecreatedEnum reports whether an object (by its dependencies or its
// definition) uses an enum type that is being recreated: it must then be
// rebuilt against the new type.
func (b *builder) spellsRecreatedEnum(id model.ObjectID, def string) bool {
	for _, dep := range b.live.Deps[id] {
		if dep.Kind == model.KindEnum {
			if _, ok := b.recreatedEnums[dep.QName()]; ok {
				return true
			}
		}
	}
	for name := range b.recreatedEnums {
		if mentionsName(def, name) {
			return true
		}
	}
	return false
}

// goneColumn reports whether a live column disappears (with its table, or
// dropped, or dropped to be added again).
func (b *builder) goneColumn(k colKey) bool {
	return b.droppedTables[k.table] || b.droppedCols[k] || b.recreatedCols[k]
}

func (b *builder) analyzeSequences() {
	for name, l := range b.live.Sequences {
		ownerGone := l.OwnedBy != nil && b.goneColumn(colKey{l.OwnedBy.Table, l.OwnedBy.Column})
		if b.desired.Sequences[name] == nil {
			b.droppedSeqs[name] = true
			if ownerGone {
				b.implicitSeqs[name] = true
			}
			continue
		}
		if ownerGone {
			b.disownedSeqs[name] = true
		}
	}
}

// touchesRecreated reports whether an index or constraint of a table uses
// a column that is dropped and added again, or an enum being recreated:
// it must be dropped before and created again after.
func (b *builder) touchesRecreated(id model.ObjectID, table model.QName, def string) bool {
	if b.usesDroppedFunction(id) {
		return true
	}
	for _, dep := range b.live.Deps[id] {
		if dep.Kind == model.KindColumn && b.recreatedCols[colKey{dep.QName(), dep.Sub}] {
			return true
		}
	}
	if t := b.live.Tables[table]; t != nil {
		for _, c := range t.Columns {
			if b.recreatedCols[colKey{table, c.Name}] && mentionsIdent(def, c.Name) {
				return true
			}
		}
	}
	return b.spellsRecreatedEnum(id, def)
}

func (b *builder) analyzeConstraints() {
	drop := func(table model.QName, lc *model.Constraint) {
		b.droppedCons[constraintID(table, lc.Name)] = true
		if lc.Type != model.Check {
			b.droppedKeyIdx[model.QName{Schema: table.Schema, Name: lc.Name}] = true
		}
	}
	type pending struct {
		d  *model.Table
		lc *model.Constraint
	}
	var attaching []pending
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		if d == nil {
			continue
		}
		for _, lc := range l.SortedConstraints() {
			if lc.Type == model.ForeignKey {
				continue
			}
			id := constraintID(l.Name, lc.Name)
			dc := d.Constraints[lc.Name]
			switch {
			case dc == nil && b.attaches(l, d) && !b.touchesRecreated(id, l.Name, lc.Definition):
				// Kept when the new parents have it (attach.go), once
				// their own drops are known.
				attaching = append(attaching, pending{d, lc})
			case dc == nil || constraintChanged(lc, dc) || b.touchesRecreated(id, l.Name, lc.Definition):
				drop(l.Name, lc)
			}
		}
	}
	for _, p := range attaching {
		if !b.attachParentsHave(p.d, p.lc) && !b.keepForAttach(p.d, p.lc) {
			drop(p.d.Name, p.lc)
		}
	}
}

func constraintChanged(l, d *model.Constraint) bool {
	return l.Type != d.Type || diff.ConstraintDefinition(l.Definition) != diff.ConstraintDefinition(d.Definition)
}

func (b *builder) analyzeIndexes() {
	for name, l := range b.live.Indexes {
		if b.droppedTables[l.Table] || b.matViewDropped(l.Table) {
			// It goes with its table; one of the same name on another
			// table is created anew.
			if d := b.desired.Indexes[name]; d != nil && d.Table != l.Table && b.droppedTables[l.Table] {
				b.droppedIdx[name] = true
			}
			continue
		}
		d := b.desired.Indexes[name]
		if d == nil && b.partitionIndexReused(name) {
			continue
		}
		if d == nil || d.Table != l.Table || d.Definition != l.Definition ||
			b.touchesRecreated(indexID(name), l.Table, l.Definition) || b.partitionIndexDropped(l, d) {
			b.droppedIdx[name] = true
		}
	}
	for name := range b.droppedIdx {
		b.cascadeKeys(b.live.Indexes[name])
	}
}

// cascadeKeys marks the partitions' own unique and primary keys whose
// index is attached to the dropped index l. PostgreSQL makes such a key
// depend on the parent index: the key cannot be dropped while the parent
// index stays, nor the parent index without the key. (A key of the parent
// itself is inherited instead, and goes with the parent's.)
func (b *builder) cascadeKeys(l *model.Index) {
	if b.droppedTables[l.Table] || partitionKeyIndex(b.live.Tables[l.Table], l.Name.Name) {
		return
	}
	for _, c := range l.Partitions {
		t := b.live.Tables[c.Table]
		if t == nil || b.droppedTables[c.Table] || !partitionKeyIndex(t, c.Name) {
			continue
		}
		id := constraintID(c.Table, c.Name)
		b.cascadedKeys[id] = true
		b.droppedCons[id] = true
		b.droppedKeyIdx[model.QName{Schema: c.Table.Schema, Name: c.Name}] = true
	}
}

func (b *builder) analyzeForeignKeys() {
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		for _, lc := range l.SortedConstraints() {
			if lc.Type != model.ForeignKey {
				continue
			}
			id := constraintID(l.Name, lc.Name)
			if d == nil {
				// DROP TABLE takes the table's own foreign keys along, but
				// one onto another dropped table would block that table's
				// drop.
				if ref := lc.References; ref != nil && *ref != l.Name && b.droppedTables[*ref] {
					b.droppedCons[id] = true
				}
				continue
			}
			dc := d.Constraints[lc.Name]
			changed := dc == nil || (constraintChanged(lc, dc) && !b.altersEnforcement(l.Name, lc, dc))
			if changed || b.foreignKeyDisturbed(l.Name, id, lc) {
				b.droppedCons[id] = true
			}
		}
	}
}

// foreignKeyDisturbed reports whether an unchanged foreign key must still be
// dropped and added again: a column at either end is dropped and re-added
// or changes to a recreated enum, columns at both ends change type, or the
// unique index or constraint it relies on is replaced.
func (b *builder) foreignKeyDisturbed(table model.QName, id model.ObjectID, c *model.Constraint) bool {
	fk, ok := parseForeignKey(c.Definition)
	ref := fk.References
	if c.References != nil {
		ref = *c.References
	}
	disturbed := func(k colKey) bool { return b.goneColumn(k) || b.enumCols[k] }
	if ok {
		// A type change at one end only is PostgreSQL's to handle: it
		// rebuilds the key, and the types must stay comparable. When both
		// ends change, the first change could leave them incomparable
		// (text and uuid), so the key steps aside until both are done.
		localRetyped, refRetyped := false, false
		for _, col := range fk.Columns {
			k := colKey{table, col}
			if disturbed(k) {
				return true
			}
			localRetyped = localRetyped || b.retypedCols[k]
		}
		for _, col := range fk.RefColumns {
			k := colKey{ref, col}
			if disturbed(k) {
				return true
			}
			refRetyped = refRetyped || b.retypedCols[k]
		}
		if localRetyped && refRetyped {
			return true
		}
	} else {
		// Unreadable definition: any disturbed column at either end counts.
		for _, t := range []model.QName{table, ref} {
			if lt := b.live.Tables[t]; lt != nil {
				for _, col := range lt.Columns {
					if disturbed(colKey{t, col.Name}) {
						return true
					}
				}
			}
		}
	}
	deps := b.live.Deps[id]
	for _, dep := range deps {
		switch dep.Kind {
		case model.KindIndex:
			if b.droppedIdx[dep.QName()] || b.constraintIndexDropped(dep.QName()) {
				return true
			}
		case model.KindConstraint:
			if b.droppedCons[dep] {
				return true
			}
		}
	}
	if len(deps) > 0 {
		return false
	}
	// No dependency rows: any unique index or key of the referenced table
	// that covers the referenced columns and is replaced counts.
	covers := func(def string) bool {
		for _, col := range fk.RefColumns {
			if !mentionsIdent(def, col) {
				return false
			}
		}
		return true
	}
	if rt := b.live.Tables[ref]; rt != nil {
		for _, rc := range rt.Constraints {
			if (rc.Type == model.PrimaryKey || rc.Type == model.Unique) && b.droppedCons[constraintID(ref, rc.Name)] && covers(rc.Definition) {
				return true
			}
		}
	}
	for name := range b.droppedIdx {
		if ix := b.live.Indexes[name]; ix.Table == ref && ix.Unique && covers(ix.Definition) {
			return true
		}
	}
	return false
}

// constraintIndexDropped reports whether the index of that name is the
// index of a primary key, unique or exclusion constraint being dropped
// (PostgreSQL names such an index after its constraint).
func (b *builder) constraintIndexDropped(index model.QName) bool {
	return b.droppedKeyIdx[index]
}

// viewChanged reports whether a view's query, columns or options differ
// (comments are set in place).
func viewChanged(l, d *model.View) bool {
	if diff.ViewQuery(l.Definition) != diff.ViewQuery(d.Definition) || diff.ViewOptions(l.Options) != diff.ViewOptions(d.Options) {
		return true
	}
	return len(l.Columns) != len(d.Columns) || !columnsPrefix(l.Columns, d.Columns)
}

// columnsPrefix reports whether CREATE OR REPLACE VIEW can turn a view with
// columns a into one with columns b: same names and types, new ones at the end.
func columnsPrefix(a, b []model.ViewColumn) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// analyzeViews finds the views to drop first: those gone from desired,
// those whose columns change in a way CREATE OR REPLACE cannot do, and
// every view that depends on something dropped or replaced (a table, a
// column dropped or retyped, a type, a sequence, a constraint, another such
// view), to a fixpoint.
func (b *builder) analyzeViews() {
	views := b.live.SortedViews()
	for changed := true; changed; {
		changed = false
		for _, l := range views {
			if b.droppedViews[l.Name] {
				continue
			}
			d := b.desired.Views[l.Name]
			if d == nil || (viewChanged(l, d) && !columnsPrefix(l.Columns, d.Columns)) || b.viewBroken(l) {
				b.droppedViews[l.Name] = true
				changed = true
			}
		}
	}
	for _, l := range views {
		if d := b.desired.Views[l.Name]; d != nil && !b.droppedViews[l.Name] && viewChanged(l, d) {
			b.replacedViews[l.Name] = true
		}
	}
}

func (b *builder) viewBroken(v *model.View) bool {
	for _, dep := range viewDeps(b.live, v) {
		if b.depBroken(dep) {
			return true
		}
	}
	return false
}

// depBroken reports whether a live object goes away or changes type.
func (b *builder) depBroken(dep model.ObjectID) bool {
	name := dep.QName()
	switch dep.Kind {
	case model.KindTable:
		return b.droppedTables[name]
	case model.KindColumn:
		k := colKey{name, dep.Sub}
		return b.goneColumn(k) || b.retypedCols[k]
	case model.KindView:
		return b.droppedViews[name]
	case model.KindMatView:
		return b.matViewDropped(name)
	case model.KindEnum:
		_, recreated := b.recreatedEnums[name]
		return recreated || b.droppedEnums[name]
	case model.KindSequence:
		return b.droppedSeqs[name]
	case model.KindConstraint:
		return b.droppedTables[name] || b.droppedCons[dep]
	case model.KindIndex:
		return b.droppedIdx[name] || b.constraintIndexDropped(name)
	case model.KindFunction:
		return b.functionDropped(dep)
	case model.KindOperator:
		return b.operatorDropped(dep)
	case model.KindOpClass:
		return b.opClassDropped(dep)
	case model.KindOpFamily:
		return b.opFamilyDropped(dep)
	}
	return false
}

// viewDeps returns what a view depends on: PostgreSQL's dependency rows
// when the model has them, else the names its definition spells (tables,
// with the columns it mentions; views; types; sequences).
func viewDeps(m *model.Model, v *model.View) []model.ObjectID {
	if deps := m.Deps[viewID(v.Name)]; len(deps) > 0 {
		return deps
	}
	var out []model.ObjectID
	seen := map[model.ObjectID]bool{}
	addDep := func(id model.ObjectID) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, ch := range nameChains(v.Definition) {
		for i := 0; i+1 < len(ch); i++ {
			q := model.QName{Schema: ch[i], Name: ch[i+1]}
			switch {
			case m.Tables[q] != nil:
				addDep(tableID(q))
				for _, c := range m.Tables[q].Columns {
					if mentionsIdent(v.Definition, c.Name) {
						addDep(columnID(q, c.Name))
					}
				}
			case m.Views[q] != nil && q != v.Name:
				addDep(viewID(q))
			case m.Enums[q] != nil:
				addDep(enumID(q))
			case m.Sequences[q] != nil:
				addDep(sequenceID(q))
			}
		}
	}
	return out
}

// viewOrder sorts a set of views so that each comes after the views of the
// set it depends on in m (dependents first when reverse is set).
func viewOrder(m *model.Model, set map[model.QName]bool, reverse bool) ([]model.QName, error) {
	prereq := map[model.QName][]model.QName{}
	for name := range set {
		v := m.Views[name]
		if v == nil {
			continue
		}
		for _, dep := range viewDeps(m, v) {
			if dep.Kind != model.KindView || dep.QName() == name || !set[dep.QName()] {
				continue
			}
			if reverse {
				prereq[dep.QName()] = append(prereq[dep.QName()], name)
			} else {
				prereq[name] = append(prereq[name], dep.QName())
			}
		}
	}
	return topoSort(set, prereq)
}

// tableDropOrder lists the dropped tables (not partitions dropped with their
// parent) so that a table goes before the tables its parts still use: a
// policy's subquery, a child of an inheritance parent, a column of another
// table's row type. Foreign keys, views and triggers are gone by then. On a
// cycle the order is by name and the plan's validation reports it.
func (b *builder) tableDropOrder() []model.QName {
	set := map[model.QName]bool{}
	for name := range b.droppedTables {
		if !b.droppedWithParent(name) {
			set[name] = true
		}
	}
	prereq := map[model.QName][]model.QName{}
	for from, deps := range b.live.Deps {
		user, ok := b.liveTableOf(from)
		if !ok || !set[user] || b.droppedCons[from] {
			// A foreign key between two dropped tables is dropped first, so
			// it orders nothing (and would make a cycle with a policy that
			// reads the referencing table).
			continue
		}
		for _, dep := range deps {
			used, ok := b.liveTableOf(dep)
			if ok && used != user && set[used] {
				prereq[used] = append(prereq[used], user)
			}
		}
	}
	order, err := topoSort(set, prereq)
	if err != nil {
		return sortedNames(set)
	}
	return order
}

// liveTableOf names the live table an object belongs to: the table itself,
// or one of its columns, constraints, indexes, triggers or policies.
func (b *builder) liveTableOf(id model.ObjectID) (model.QName, bool) {
	switch id.Kind {
	case model.KindTable, model.KindColumn, model.KindConstraint, model.KindTrigger, model.KindPolicy:
		return id.QName(), b.live.Tables[id.QName()] != nil
	case model.KindIndex:
		if ix := b.live.Indexes[id.QName()]; ix != nil {
			return ix.Table, b.live.Tables[ix.Table] != nil
		}
	}
	return model.QName{}, false
}

// topoSort orders nodes so that each follows its prerequisites, and
// otherwise by name. A cycle is an error naming it.
func topoSort(set map[model.QName]bool, prereq map[model.QName][]model.QName) ([]model.QName, error) {
	pending := map[model.QName]int{}
	users := map[model.QName][]model.QName{}
	for n := range set {
		seen := map[model.QName]bool{}
		for _, p := range prereq[n] {
			if !seen[p] {
				seen[p] = true
				pending[n]++
				users[p] = append(users[p], n)
			}
		}
	}
	var ready, out []model.QName
	for n := range set {
		if pending[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return ready[i].Less(ready[j]) })
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, u := range users[n] {
			if pending[u]--; pending[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) == len(set) {
		return out, nil
	}
	return nil, cycleError(set, pending, prereq)
}

// cycleError follows unresolved prerequisites from the first stuck node
// until one repeats.
func cycleError(set map[model.QName]bool, pending map[model.QName]int, prereq map[model.QName][]model.QName) error {
	var stuck []model.QName
	for n := range set {
		if pending[n] > 0 {
			stuck = append(stuck, n)
		}
	}
	sort.Slice(stuck, func(i, j int) bool { return stuck[i].Less(stuck[j]) })
	var path []model.QName
	at := map[model.QName]int{}
	n := stuck[0]
	for {
		if i, ok := at[n]; ok {
			path = append(path[i:], n)
			break
		}
		at[n] = len(path)
		path = append(path, n)
		next := prereq[n]
		sort.Slice(next, func(i, j int) bool { return next[i].Less(next[j]) })
		for _, p := range next {
			if pending[p] > 0 {
				n = p
				break
			}
		}
	}
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = "view " + p.String()
	}
	return fmt.Errorf("plan: dependency cycle: %s", strings.Join(names, " → "))
}

// ---------------------------------------------------------------- emission

func (b *builder) add(p phase, steps ...Step) { b.out[p] = append(b.out[p], steps...) }

func (b *builder) emit() error {
	if b.inh.err != nil {
		return b.inh.err
	}
	if err := b.emitDropViews(); err != nil {
		return err
	}
	b.emitInheritance()
	b.emitDrops()
	b.emitSchemasTypesSequences()
	b.emitTables()
	b.emitConstraintsAndIndexes()
	b.emitOwnedBy()
	if err := b.emitCreateViews(); err != nil {
		return err
	}
	b.emitComments()
	if err := b.emitRoutines(); err != nil {
		return err
	}
	b.emitOperators()
	b.emitCasts()
	if err := b.emitTypes(); err != nil {
		return err
	}
	b.emitSecurity()
	for _, s := range b.live.SortedSchemas() {
		if b.desired.Schemas[s.Name] == nil {
			b.add(phaseDropSchemas, dropSchema(s.Name))
		}
	}
	return nil
}

func (b *builder) emitDropViews() error {
	order, err := viewOrder(b.live, b.droppedViews, true)
	if err != nil {
		return err
	}
	for _, name := range order {
		b.add(phaseDropViews, dropView(name))
	}
	return nil
}

func (b *builder) emitDrops() {
	ids := make([]model.ObjectID, 0, len(b.droppedCons))
	for id := range b.droppedCons {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
	for _, id := range ids {
		c := b.live.Tables[id.QName()].Constraints[id.Sub]
		if b.cascadedKeys[id] {
			continue // with its parent index
		}
		if c.Type == model.ForeignKey {
			b.add(phaseDropForeignKeys, dropConstraint(id.QName(), id.Sub))
		} else {
			b.add(phaseDropConstraints, dropConstraint(id.QName(), id.Sub))
		}
	}
	for _, name := range sortedNames(b.droppedIdx) {
		if !b.droppedTables[b.live.Indexes[name].Table] {
			b.add(phaseDropConstraints, b.dropIndexWithKeys(name))
		}
	}
	for _, name := range sortedNames(b.disownedSeqs) {
		b.add(phaseDropConstraints, sequenceOwnedBy(name, nil))
	}
	for _, l := range b.live.SortedTables() {
		if b.droppedTables[l.Name] {
			continue
		}
		// Generated columns first: they block drops of the columns they read.
		var cols []*model.Column
		for _, c := range l.Columns {
			if k := (colKey{l.Name, c.Name}); b.droppedCols[k] || b.recreatedCols[k] {
				cols = append(cols, c)
			}
		}
		sort.Slice(cols, func(i, j int) bool {
			if gi, gj := cols[i].Generated != "", cols[j].Generated != ""; gi != gj {
				return gi
			}
			return cols[i].Name < cols[j].Name
		})
		for _, c := range cols {
			b.add(phaseDropColumns, dropColumn(l.Name, c.Name))
		}
	}
	referenced := referencedTables(b.live)
	for _, name := range b.tableDropOrder() {
		if l := b.live.Tables[name]; l.PartitionOf != nil && !b.droppedTables[*l.PartitionOf] && inReferencedTree(b.live, *l.PartitionOf, referenced) {
			// PostgreSQL refuses to drop a partition of a table that a
			// foreign key references (the key's constraint depends on it);
			// detached, it drops alone.
			b.add(phaseDropConstraints, step(fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s", l.PartitionOf, name),
				"detach partition "+name.String()+" before dropping it", tableID(name)))
		}
		b.add(phaseDropColumns, dropTable(b.live.Tables[name]))
	}
	for _, name := range sortedNames(b.droppedSeqs) {
		if !b.implicitSeqs[name] {
			b.add(phaseDropSequences, dropSequence(name))
		}
	}
	for _, name := range sortedNames(b.droppedEnums) {
		b.add(phaseDropTypes, dropEnum(name))
	}
	for _, name := range sortedKeys(b.recreatedEnums) {
		b.add(phaseDropTypes, dropEnum(model.QName{Schema: name.Schema, Name: b.recreatedEnums[name]}))
	}
}

func (b *builder) emitSchemasTypesSequences() {
	for _, s := range b.desired.SortedSchemas() {
		if b.live.Schemas[s.Name] == nil {
			b.add(phaseCreateSchemas, createSchema(s.Name))
		}
	}
	for _, d := range b.desired.SortedEnums() {
		l := b.live.Enums[d.Name]
		switch {
		case l == nil:
			b.add(phaseEnums, createEnum(d))
		case b.recreatedEnums[d.Name] != "":
			// Values cannot be removed or reordered: the old type steps
			// aside, columns move to the new one, and the old one is dropped.
			b.add(phaseEnums, renameEnum(d.Name, b.recreatedEnums[d.Name]), createEnum(d))
		default:
			b.add(phaseEnums, addEnumValues(d.Name, l.Labels, d.Labels)...)
		}
	}
	for _, d := range b.desired.SortedSequences() {
		l := b.live.Sequences[d.Name]
		if l == nil {
			b.add(phaseSequences, createSequence(d))
		} else if s, ok := alterSequence(l, d); ok {
			b.add(phaseSequences, s)
		}
	}
}

func (b *builder) emitTables() {
	for _, name := range b.newTableOrder() { // partitions: emitPartitions
		d := b.desired.Tables[name]
		b.add(phaseCreateTables, createTable(d))
		b.add(phaseCreateTables, b.inheritedColumnSteps(d)...)
	}
	var partitions []*model.Table
	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		if l == nil {
			continue
		}
		if b.partitionColumnsSkipped(d.Name) {
			partitions = append(partitions, d)
			continue
		}
		// Removals go with the drops, for every column: a generation
		// expression that stays would block a type change of a column it
		// reads, a default a sequence drop, an identity its sequence's name.
		var alters [][]Step
		for _, dc := range d.Columns {
			k := colKey{d.Name, dc.Name}
			if lc := l.Column(dc.Name); lc != nil && !b.recreatedCols[k] {
				lc, dc := b.attachColumns(l, d, lc, dc)
				pre, main := b.alterColumnSteps(d.Name, lc, dc)
				b.add(phaseDropColumnParts, pre...)
				alters = append(alters, main)
			}
		}
		for _, main := range alters {
			b.add(phaseColumns, main...)
		}
		for _, dc := range d.Columns {
			if l.Column(dc.Name) == nil && dc.Inherited {
				continue // the parent's ADD COLUMN adds it (analyzeInheritance)
			}
			if l.Column(dc.Name) == nil || b.recreatedCols[colKey{d.Name, dc.Name}] {
				b.add(phaseColumns, addColumn(d.Name, dc))
			}
		}
	}
	// After the parents' column changes, which they follow.
	for _, d := range partitions {
		b.partitionDefaultSteps(d)
		b.partitionNotNullSteps(d)
	}
}

// alterColumnSteps turns one column into another, one action per step, in
// an order PostgreSQL accepts: the default comes off before the type
// changes (it would have to be converted) and before an identity is added
// (identity columns have none); NOT NULL is set before an identity is
// added and dropped after an identity is removed.
//
// The removals (default, identity, expression) come back separately as pre,
// to run before any column of the table changes.
func (b *builder) alterColumnSteps(table model.QName, l, d *model.Column) (pre, out []Step) {
	k := colKey{table, d.Name}
	retype := b.retypedCols[k]
	do := func(action, what string) { out = append(out, alterColumn(table, d.Name, action, what)) }
	first := func(action, what string) { pre = append(pre, alterColumn(table, d.Name, action, what)) }

	// A partitioned table's default changes do not recurse (ONLY): each
	// partition's default is its own, planned by partitionDefaultSteps.
	setDefault := func(action, what string) Step {
		return alterColumnDefault(table, d.Name, action, what, b.partitioned(table))
	}
	usesDroppedFunction := b.usesDroppedFunction(columnID(table, d.Name))
	if l.Default != "" && (d.Default == "" || retype || b.usesDroppedSequence(k, l.Default) || usesDroppedFunction) {
		pre = append(pre, setDefault("DROP DEFAULT", "drop default"))
	}
	if l.Identity != model.IdentityNone && d.Identity == model.IdentityNone {
		first("DROP IDENTITY", "drop identity")
	}
	if l.Generated != "" && d.Generated == "" {
		first("DROP EXPRESSION", "drop expression")
	}
	if retype {
		out = append(out, alterColumnType(table, d, b.conversion(table, l, d)))
	}
	if b.setsExpression(table, l, d) {
		out = append(out, setExpressionStep(table, d))
	}
	if !l.NotNull && d.NotNull {
		do("SET NOT NULL", "set not null")
	}
	switch {
	case l.Identity == model.IdentityNone && d.Identity != model.IdentityNone:
		do("ADD"+identityClause(table, d), "add identity")
	case l.Identity != model.IdentityNone && d.Identity != model.IdentityNone:
		if l.Identity != d.Identity {
			do("SET GENERATED "+identityKind(d.Identity), "set identity")
		}
		if ls, ds := l.IdentitySequence, d.IdentitySequence; ls != nil && ds != nil {
			if ch := identityChanges(ls, ds); len(ch) > 0 {
				do(strings.Join(ch, " "), "set identity options")
			}
			if ls.Name != ds.Name && ls.Name.Schema == ds.Name.Schema && ds.Name.Name != "" {
				out = append(out, step(fmt.Sprintf("ALTER SEQUENCE %s RENAME TO %s", ls.Name, model.QuoteIdent(ds.Name.Name)),
					"rename sequence "+ls.Name.String(), sequenceID(ls.Name)))
			}
		}
	}
	if d.Default != "" && (d.Default != l.Default || retype || b.resetDefaults[k] || b.usesDroppedSequence(k, l.Default) || usesDroppedFunction) {
		out = append(out, setDefault("SET DEFAULT "+d.Default, "set default"))
	}
	if l.NotNull && !d.NotNull {
		do("DROP NOT NULL", "drop not null")
	}
	return pre, out
}

// usesDroppedSequence reports whether a live default uses a sequence that
// is dropped: the default must come off before the sequence goes.
func (b *builder) usesDroppedSequence(k colKey, def string) bool {
	if def == "" {
		return false
	}
	for _, dep := range b.live.Deps[columnID(k.table, k.column)] {
		if dep.Kind == model.KindSequence && b.droppedSeqs[dep.QName()] {
			return true
		}
	}
	for name := range b.droppedSeqs {
		if mentionsName(def, name) || strings.Contains(def, model.QuoteLiteral(name.String())) {
			return true
		}
	}
	return false
}

// usingExpr converts a column's values to its new type. Enum values go
// through text: there is no cast between two enum types.
func (b *builder) usingExpr(l, d *model.Column) string {
	col := model.QuoteIdent(l.Name)
	_, fromEnum := b.liveEnumNames[strings.TrimSuffix(l.Type, "[]")]
	toEnum := b.wantEnumNames[strings.TrimSuffix(d.Type, "[]")]
	if fromEnum && toEnum {
		if strings.HasSuffix(l.Type, "[]") {
			return col + "::text[]::" + d.Type
		}
		return col + "::text::" + d.Type
	}
	return col + "::" + d.Type
}

func (b *builder) emitConstraintsAndIndexes() {
	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		for _, dc := range d.SortedConstraints() {
			id := constraintID(d.Name, dc.Name)
			var lc *model.Constraint
			if l != nil {
				lc = l.Constraints[dc.Name]
			}
			p := phaseAddConstraints
			if dc.Type == model.ForeignKey {
				p = phaseAddForeignKeys
			}
			switch {
			case l == nil:
				if !inlineConstraint(dc) {
					b.add(p, addConstraint(d.Name, dc))
				}
			case b.types().leftFor[id]:
				// What DETACH PARTITION leaves the table (attach.go).
			case lc == nil || b.droppedCons[id]:
				b.add(p, addConstraint(d.Name, dc))
			case constraintChanged(lc, dc): // enforcement alone (enforcement.go)
				b.add(p, alterEnforcement(d.Name, dc))
			case !lc.Validated && dc.Validated:
				b.add(phaseValidate, validateConstraint(d.Name, dc.Name))
			}
		}
	}
	for _, d := range b.desired.SortedIndexes() {
		if b.desired.MatViews[d.Table] != nil {
			continue // emitMatViews
		}
		if b.live.Indexes[d.Name] == nil || b.droppedIdx[d.Name] {
			b.add(phaseCreateIndexes, b.createPartitionedIndex(d)...)
			b.indexStats(phaseCreateIndexes, nil, d)
		} else {
			l := b.live.Indexes[d.Name]
			if diff.InvalidInLive(l, d) {
				b.add(phaseCreateIndexes, reindexInvalid(d.Name))
			}
			b.add(phaseCreateIndexes, b.partitionIndexChanges(l, d)...)
			b.indexStats(phaseCreateIndexes, l, d)
		}
	}
	b.emitReplicaIdentities()
}

// emitReplicaIdentities sets each table's replica identity where it differs
// from live, and again where the index it names is created anew: a new
// index does not inherit the flag of the one it replaces.
func (b *builder) emitReplicaIdentities() {
	for _, d := range b.desired.SortedTables() {
		live := "" // a table created or created again has the default
		if l := b.live.Tables[d.Name]; l != nil && !b.droppedTables[d.Name] {
			live = l.ReplicaIdentity
		}
		if live == d.ReplicaIdentity && !b.replicaIndexRecreated(d) {
			continue
		}
		ri := d.ReplicaIdentity
		if ri == "" {
			ri = "DEFAULT"
		}
		b.add(phaseReplicaIdentity, step("ALTER TABLE "+d.Name.String()+" REPLICA IDENTITY "+ri,
			"set replica identity of table "+d.Name.String(), tableID(d.Name)))
	}
	// CLUSTER ON likewise: a new index is not marked.
	for _, d := range b.desired.SortedTables() {
		live := ""
		if l := b.live.Tables[d.Name]; l != nil && !b.droppedTables[d.Name] {
			live = l.ClusterOn
		}
		switch {
		case d.ClusterOn != "" && (live != d.ClusterOn || b.tableIndexRecreated(d, d.ClusterOn)):
			b.add(phaseReplicaIdentity, step("ALTER TABLE "+d.Name.String()+" CLUSTER ON "+d.ClusterOn,
				"cluster table "+d.Name.String()+" on "+d.ClusterOn, tableID(d.Name)))
		case d.ClusterOn == "" && live != "" && !b.tableIndexRecreated(d, live):
			b.add(phaseReplicaIdentity, step("ALTER TABLE "+d.Name.String()+" SET WITHOUT CLUSTER",
				"set table "+d.Name.String()+" without cluster", tableID(d.Name)))
		}
	}
}

// replicaIndexRecreated reports whether the plan drops and creates again
// the index that the table's replica identity uses.
func (b *builder) replicaIndexRecreated(t *model.Table) bool {
	idx, ok := strings.CutPrefix(t.ReplicaIdentity, "USING INDEX ")
	return ok && b.tableIndexRecreated(t, idx)
}

// tableIndexRecreated reports whether the plan drops (and creates again)
// the index or key constraint of a table named idx (quoted).
func (b *builder) tableIndexRecreated(t *model.Table, idx string) bool {
	for _, c := range t.Constraints {
		if model.QuoteIdent(c.Name) == idx {
			return b.droppedCons[constraintID(t.Name, c.Name)]
		}
	}
	for name := range b.droppedIdx {
		if name.Schema == t.Name.Schema && model.QuoteIdent(name.Name) == idx {
			return true
		}
	}
	return false
}

func (b *builder) emitOwnedBy() {
	for _, d := range b.desired.SortedSequences() {
		l := b.live.Sequences[d.Name]
		switch {
		case l == nil || b.disownedSeqs[d.Name]:
			if d.OwnedBy != nil {
				b.add(phaseOwnedBy, sequenceOwnedBy(d.Name, d.OwnedBy))
			}
		case !sameOwner(l.OwnedBy, d.OwnedBy):
			b.add(phaseOwnedBy, sequenceOwnedBy(d.Name, d.OwnedBy))
		}
	}
}

func sameOwner(a, b *model.ColumnRef) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (b *builder) emitCreateViews() error {
	set := map[model.QName]bool{}
	for name := range b.desired.Views {
		if b.live.Views[name] == nil || b.droppedViews[name] || b.replacedViews[name] {
			set[name] = true
		}
	}
	order, err := viewOrder(b.desired, set, false)
	if err != nil {
		return err
	}
	for _, name := range order {
		v := b.desired.Views[name]
		if !b.replacedViews[name] && selfReferencing(v) {
			b.add(phaseCreateViews, viewPlaceholder(v))
			b.add(phaseCreateViews, createView(v, true))
			continue
		}
		b.add(phaseCreateViews, createView(v, b.replacedViews[name]))
	}
	return nil
}

// selfReferencing reports whether a view selects from itself, which only
// CREATE OR REPLACE of an existing view can declare.
func selfReferencing(v *model.View) bool {
	for _, ch := range nameChains(v.Definition) {
		for i := 0; i+1 < len(ch); i++ {
			if ch[i] == v.Name.Schema && ch[i+1] == v.Name.Name {
				return true
			}
		}
	}
	return false
}

// emitComments sets the comments of new and recreated objects, and changes
// (or removes) those of objects that stay.
func (b *builder) emitComments() {
	set := func(id model.ObjectID, fresh bool, live, desired string) {
		if (fresh && desired != "") || (!fresh && live != desired) {
			target := commentTarget(id)
			if t := b.desired.Tables[id.QName()]; id.Kind == model.KindTable && t != nil && t.Foreign != nil {
				target = "FOREIGN " + target // COMMENT ON TABLE refuses a foreign table
			}
			b.add(phaseComments, comment(id, target, desired))
		}
	}
	for _, d := range b.desired.SortedSchemas() {
		l := b.live.Schemas[d.Name]
		if l == nil && d.Name == "public" {
			// CREATE SCHEMA IF NOT EXISTS public finds the database's own
			// public schema with whatever comment it has: set it either way.
			b.add(phaseComments, comment(schemaID(d.Name), commentTarget(schemaID(d.Name)), d.Comment))
			continue
		}
		set(schemaID(d.Name), l == nil, commentOf(l), d.Comment)
	}
	for _, d := range b.desired.SortedEnums() {
		l := b.live.Enums[d.Name]
		_, recreated := b.recreatedEnums[d.Name]
		fresh := l == nil || recreated
		lc := ""
		if l != nil {
			lc = l.Comment
		}
		set(enumID(d.Name), fresh, lc, d.Comment)
	}
	for _, d := range b.desired.SortedSequences() {
		l := b.live.Sequences[d.Name]
		lc := ""
		if l != nil {
			lc = l.Comment
		}
		set(sequenceID(d.Name), l == nil, lc, d.Comment)
	}
	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		if l == nil {
			set(tableID(d.Name), true, "", d.Comment)
			for _, c := range d.Columns {
				set(columnID(d.Name, c.Name), true, "", c.Comment)
				b.identityComment(c, nil)
			}
			for _, c := range d.SortedConstraints() {
				set(constraintID(d.Name, c.Name), true, "", c.Comment)
			}
			continue
		}
		set(tableID(d.Name), false, l.Comment, d.Comment)
		for _, dc := range d.Columns {
			lc := l.Column(dc.Name)
			if lc == nil || b.recreatedCols[colKey{d.Name, dc.Name}] {
				set(columnID(d.Name, dc.Name), true, "", dc.Comment)
				b.identityComment(dc, nil)
			} else {
				set(columnID(d.Name, dc.Name), false, lc.Comment, dc.Comment)
				b.identityComment(dc, lc)
			}
		}
		for _, dc := range d.SortedConstraints() {
			id := constraintID(d.Name, dc.Name)
			lc := l.Constraints[dc.Name]
			if lc == nil || b.droppedCons[id] {
				set(id, true, "", dc.Comment)
			} else {
				set(id, false, lc.Comment, dc.Comment)
			}
		}
	}
	for _, d := range b.desired.SortedIndexes() {
		l := b.live.Indexes[d.Name]
		if l == nil || b.droppedIdx[d.Name] {
			set(indexID(d.Name), true, "", d.Comment)
		} else {
			set(indexID(d.Name), false, l.Comment, d.Comment)
		}
	}
	for _, d := range b.desired.SortedViews() {
		l := b.live.Views[d.Name]
		fresh := l == nil || b.droppedViews[d.Name]
		lc := ""
		if !fresh {
			lc = l.Comment
		}
		set(viewID(d.Name), fresh, lc, d.Comment)
		for _, dc := range d.Columns {
			id := columnID(d.Name, dc.Name)
			if fresh {
				set(id, true, "", dc.Comment)
				continue
			}
			found := false
			for _, lcol := range l.Columns {
				if lcol.Name == dc.Name {
					set(id, false, lcol.Comment, dc.Comment)
					found = true
				}
			}
			if !found {
				set(id, true, "", dc.Comment)
			}
		}
	}
}

// identityComment sets the comment of an identity column's implicit
// sequence; live is nil when the column (or its identity) is new.
func (b *builder) identityComment(d, live *model.Column) {
	if d.Identity == model.IdentityNone || d.IdentitySequence == nil {
		return
	}
	old := ""
	if live != nil && live.Identity != model.IdentityNone && live.IdentitySequence != nil {
		old = live.IdentitySequence.Comment
	}
	if text := d.IdentitySequence.Comment; text != old {
		id := sequenceID(d.IdentitySequence.Name)
		b.add(phaseComments, comment(id, commentTarget(id), text))
	}
}

func commentOf(s *model.Schema) string {
	if s == nil {
		return ""
	}
	return s.Comment
}

func sortedNames(set map[model.QName]bool) []model.QName {
	out := make([]model.QName, 0, len(set))
	for n, ok := range set {
		if ok {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

func sortedKeys[V any](m map[model.QName]V) []model.QName {
	out := make([]model.QName, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

func lessID(a, b model.ObjectID) bool {
	if a.Schema != b.Schema {
		return a.Schema < b.Schema
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Sub < b.Sub
}
