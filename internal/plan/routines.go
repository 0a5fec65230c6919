package plan

import (
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// routineState is what the planner decides about functions, triggers and
// event triggers before emitting SQL.
type routineState struct {
	// droppedFuncs are live functions (by key) that are dropped: gone from
	// desired, or replaced in a way CREATE OR REPLACE cannot do (kind,
	// result or argument list changed, an aggregate changed, something
	// they depend on is dropped or retyped). Everything that depends on
	// them is dropped first and created again after.
	droppedFuncs map[string]bool
	// replacedFuncs change in place with CREATE OR REPLACE.
	replacedFuncs map[string]bool
	// lateDrops are dropped functions that a dropped table still uses
	// (a default, a check, an index): they go after the table.
	lateDrops map[string]bool

	droppedTriggers map[string]bool // dropped; created again when desired has them
	droppedRules    map[string]bool // rewrite rules, likewise
	droppedEvents   map[string]bool // event triggers, likewise
	droppedOps      map[string]bool // operators (by key), likewise
	droppedOpcs     map[string]bool // operator classes (by key), likewise
	droppedOpfs     map[string]bool // operator families (by key), likewise
	// lateOps are the dropped operators, classes and families that a
	// dropped table still uses: they go after the table, before the late
	// functions.
	lateOps map[model.ObjectID]bool

	// funcPhases is the phase each created function went to, so that an
	// operator can follow its function.
	funcPhases map[string]phase
	// opPhases is the phase each created operator, operator class and
	// family went to, likewise.
	opPhases map[model.ObjectID]phase
}

func newRoutineState() routineState {
	return routineState{
		droppedFuncs:    map[string]bool{},
		replacedFuncs:   map[string]bool{},
		lateDrops:       map[string]bool{},
		droppedTriggers: map[string]bool{},
		droppedRules:    map[string]bool{},
		droppedEvents:   map[string]bool{},
		droppedOps:      map[string]bool{},
		droppedOpcs:     map[string]bool{},
		droppedOpfs:     map[string]bool{},
		lateOps:         map[model.ObjectID]bool{},
		funcPhases:      map[string]phase{},
		opPhases:        map[model.ObjectID]phase{},
	}
}

// functionKey returns the Model.Functions key of a KindFunction ID.
func functionKey(id model.ObjectID) string { return model.FunctionKey(id.QName(), id.Sub) }

// analyzeFunctions marks the functions to drop and to replace; it reports
// whether it marked a new drop. It runs again after the views are
// analyzed, since a function can depend on a view and a view on a function.
func (b *builder) analyzeFunctions() bool {
	rt := &b.rt
	changed := false
	for again := true; again; {
		again = false
		for _, l := range b.live.SortedFunctions() {
			k := l.Key()
			if rt.droppedFuncs[k] {
				continue
			}
			d := b.desired.Functions[k]
			if d == nil || !replaceable(l, d) || b.functionBroken(l) {
				rt.droppedFuncs[k] = true
				delete(rt.replacedFuncs, k)
				again, changed = true, true
				continue
			}
			if l.Definition != d.Definition {
				rt.replacedFuncs[k] = true
			}
		}
	}
	b.recreateGeneratedColumns()
	return changed
}

// recreateGeneratedColumns marks the generated columns whose expression
// calls a dropped function: PostgreSQL cannot change a generation
// expression in place, so the column is dropped and added again.
func (b *builder) recreateGeneratedColumns() {
	for _, l := range b.live.SortedTables() {
		d := b.desired.Tables[l.Name]
		if d == nil {
			continue
		}
		for _, lc := range l.Columns {
			k := colKey{l.Name, lc.Name}
			if dc := d.Column(lc.Name); dc != nil && lc.Generated != "" && dc.Generated != "" &&
				b.usesDroppedFunction(columnID(l.Name, lc.Name)) {
				b.recreatedCols[k] = true
				delete(b.retypedCols, k)
			}
		}
	}
}

// replaceable reports whether CREATE OR REPLACE turns l into d: same kind,
// result and argument list (names and defaults cannot change that way), and
// not an aggregate (CREATE OR REPLACE AGGREGATE cannot change the state
// type; dropping is simpler than telling which options it can change).
func replaceable(l, d *model.Function) bool {
	if l.Definition == d.Definition {
		return true
	}
	return l.Kind == d.Kind && l.Result == d.Result && l.Arguments == d.Arguments && l.Kind != model.RoutineAggregate
}

// functionBroken reports whether something a live function depends on (a
// type, a table's row type or column, a view, another function) is dropped
// or recreated.
func (b *builder) functionBroken(f *model.Function) bool {
	for _, dep := range b.live.Deps[f.ID()] {
		if b.depBroken(dep) {
			return true
		}
	}
	return false
}

// functionDropped reports whether a live function is dropped.
func (b *builder) functionDropped(id model.ObjectID) bool {
	return b.rt.droppedFuncs[functionKey(id)]
}

// usesDroppedFunction reports whether a live object (a column's default, a
// constraint, an index) calls a function that is dropped, or an operator
// that is (a function under another name), or an operator class: it must
// be dropped before and created again after.
func (b *builder) usesDroppedFunction(id model.ObjectID) bool {
	deps := b.live.Deps[id]
	if id.Kind == model.KindConstraint {
		// What a key or exclusion constraint's index uses (operator
		// classes), the constraint uses.
		ix := b.live.Deps[model.ObjectID{Kind: model.KindIndex, Schema: id.Schema, Name: id.Sub}]
		deps = append(deps[:len(deps):len(deps)], ix...)
	}
	for _, dep := range deps {
		if dep.Kind == model.KindFunction && b.functionDropped(dep) ||
			(dep.Kind == model.KindOperator || dep.Kind == model.KindOpClass) && b.depBroken(dep) {
			return true
		}
	}
	return false
}

// analyzeRoutines runs after every other analysis: functions and views
// break each other to a fixpoint, then triggers and event triggers are
// checked against everything that is dropped.
func (b *builder) analyzeRoutines() {
	for b.analyzeFunctions() {
		b.analyzeViews()
	}
	b.analyzeLateDrops()
	rt := &b.rt
	for _, l := range b.live.SortedTriggers() {
		k := l.Key()
		d := b.desired.Triggers[k]
		if d == nil || d.Definition != l.Definition || b.triggerBroken(l) {
			rt.droppedTriggers[k] = true
		}
	}
	for _, l := range b.live.SortedRules() {
		// A changed definition is CREATE OR REPLACE RULE; a rule whose
		// relation or a relation it uses is dropped goes first.
		if b.desired.Rules[l.Key()] == nil || b.depsBroken(l.ID()) {
			rt.droppedRules[l.Key()] = true
		}
	}
	for _, l := range b.live.SortedEventTriggers() {
		d := b.desired.EventTriggers[l.Name]
		if d == nil || d.Event != l.Event || d.Function != l.Function ||
			strings.Join(d.Tags, "\x00") != strings.Join(l.Tags, "\x00") || b.eventTriggerBroken(l) {
			rt.droppedEvents[l.Name] = true
		}
	}
}

func (b *builder) triggerBroken(t *model.Trigger) bool {
	for _, dep := range b.live.Deps[t.ID()] {
		if b.depBroken(dep) {
			return true
		}
	}
	return false
}

func (b *builder) eventTriggerBroken(e *model.EventTrigger) bool {
	for k := range b.rt.droppedFuncs {
		if f := b.live.Functions[k]; f != nil && f.Name == e.Function && f.Result == "event_trigger" {
			return true
		}
	}
	return false
}

// analyzeLateDrops finds the dropped functions, operators, operator classes
// and families that objects of a dropped table still use, and the dropped
// ones those use: they are dropped after the tables. The others go before,
// since a function can take or return a table's rows and would block the
// table's drop.
func (b *builder) analyzeLateDrops() {
	rt := &b.rt
	// late marks a dependency to drop late; it reports whether it is new.
	late := func(dep model.ObjectID) bool {
		switch {
		case dep.Kind == model.KindFunction && b.functionDropped(dep) && !rt.lateDrops[functionKey(dep)]:
			rt.lateDrops[functionKey(dep)] = true
		case isOpKind(dep.Kind) && !rt.lateOps[dep] && b.depBroken(dep):
			rt.lateOps[dep] = true
		default:
			return false
		}
		return true
	}
	for from, deps := range b.live.Deps {
		if !b.inDroppedTable(from) && !b.domainGoneBeforeFunctions(from) {
			continue
		}
		for _, dep := range deps {
			late(dep)
		}
	}
	for again := true; again; {
		again = false
		var ids []model.ObjectID
		for k := range rt.lateDrops {
			if f := b.live.Functions[k]; f != nil {
				ids = append(ids, f.ID())
			}
		}
		for id := range rt.lateOps {
			ids = append(ids, id)
		}
		for _, id := range ids {
			for _, dep := range b.live.Deps[id] {
				if late(dep) {
					again = true
				}
			}
		}
	}
}

// onDroppedView reports whether a live function depends on a view the plan
// drops (it takes or returns the view's rows): it goes before the view.
func (b *builder) onDroppedView(id model.ObjectID) bool {
	for _, dep := range b.live.Deps[id] {
		if dep.Kind == model.KindView && b.droppedViews[dep.QName()] {
			return true
		}
	}
	return false
}

// isOpKind reports whether k is an operator, operator class or family.
func isOpKind(k model.Kind) bool {
	return k == model.KindOperator || k == model.KindOpClass || k == model.KindOpFamily
}

// opDropPhase is where a dropped operator, operator class or family goes:
// after the tables when a dropped table still uses it.
func (b *builder) opDropPhase(id model.ObjectID) phase {
	if b.rt.lateOps[id] {
		return phaseDropSequences
	}
	return phaseDropColumnParts
}

// inDroppedTable reports whether a live object is part of a dropped table.
func (b *builder) inDroppedTable(id model.ObjectID) bool {
	switch id.Kind {
	case model.KindColumn:
		return b.goneColumn(colKey{id.QName(), id.Sub})
	case model.KindConstraint, model.KindPolicy:
		return b.droppedTables[id.QName()]
	case model.KindIndex:
		if ix := b.live.Indexes[id.QName()]; ix != nil {
			return b.droppedTables[ix.Table]
		}
		// The index of a key or exclusion constraint, named as it is.
		for name := range b.droppedTables {
			if t := b.live.Tables[name]; t != nil && name.Schema == id.Schema && t.Constraints[id.Name] != nil {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------- emission

func (b *builder) emitRoutines() error {
	rt := &b.rt
	// Triggers and event triggers first: they hold on to their functions.
	for _, l := range b.live.SortedEventTriggers() {
		if rt.droppedEvents[l.Name] {
			b.add(phaseDropTriggers, dropEventTrigger(l.Name))
		}
	}
	for _, l := range b.live.SortedTriggers() {
		// Also on tables that go: DROP TABLE comes after the functions.
		if rt.droppedTriggers[l.Key()] {
			b.add(phaseDropTriggers, dropTrigger(l))
		}
	}
	for _, l := range b.live.SortedRules() {
		if rt.droppedRules[l.Key()] {
			b.add(phaseDropTriggers, step("DROP RULE "+model.QuoteIdent(l.Name)+" ON "+l.Table.String(), "drop "+l.ID().String(), l.ID()))
		}
	}

	// Drops, dependents first.
	var onViews, early, late []model.ObjectID
	for k := range rt.droppedFuncs {
		id := b.live.Functions[k].ID()
		switch {
		case rt.lateDrops[k]:
			late = append(late, id)
		case b.onDroppedView(id):
			onViews = append(onViews, id)
		default:
			early = append(early, id)
		}
	}
	for _, set := range []struct {
		ids []model.ObjectID
		p   phase
	}{{onViews, phaseDropViewFunctions}, {early, phaseDropFunctions}, {late, phaseDropFunctionsLate}} {
		order, err := functionOrder(b.live, set.ids, true)
		if err != nil {
			return err
		}
		for _, id := range order {
			b.add(set.p, dropFunction(b.live.Functions[functionKey(id)]))
		}
	}

	// Creates and replacements, prerequisites first. Function bodies are
	// not checked at creation: a body may use tables created later in the
	// plan (pg_dump does the same). A function whose definition PostgreSQL
	// tracks as depending on a relation (BEGIN ATOMIC bodies, row types)
	// waits for the tables; one that depends on a view, for the views.
	var create []model.ObjectID
	for _, d := range b.desired.SortedFunctions() {
		k := d.Key()
		if b.live.Functions[k] == nil || rt.droppedFuncs[k] || rt.replacedFuncs[k] {
			create = append(create, d.ID())
		}
	}
	if len(create) > 0 {
		b.add(phaseSettings, step("SET check_function_bodies = false", "defer function body checks to run time", model.ObjectID{}))
	}
	order, err := functionOrder(b.desired, create, false)
	if err != nil {
		return err
	}
	placed := rt.funcPhases
	_, typesOnTables := b.typeOrder()
	for _, id := range order {
		k := functionKey(id)
		p := phaseFunctions
		for _, dep := range b.desired.Deps[id] {
			switch dep.Kind {
			case model.KindTable, model.KindColumn:
				p = max(p, phaseLateFunctions)
			case model.KindView:
				p = max(p, phaseViewFunctions)
			case model.KindDomain, model.KindComposite, model.KindRange:
				if typesOnTables[dep] {
					p = max(p, phaseLateFunctions) // created with the columns
				}
			case model.KindFunction:
				if dp, ok := placed[functionKey(dep)]; ok {
					p = max(p, dp)
				}
			}
		}
		placed[k] = p
		d := b.desired.Functions[k]
		summary := "create "
		if rt.replacedFuncs[k] {
			summary = "replace "
		}
		b.add(p, step(d.Definition, summary+routineNoun(d.Kind)+" "+functionSignature(d), d.ID()))
	}

	for _, d := range b.desired.SortedTriggers() {
		l := b.live.Triggers[d.Key()]
		fresh := l == nil || rt.droppedTriggers[d.Key()] || b.droppedTables[d.Table] || b.droppedViews[d.Table]
		if fresh {
			b.add(phaseTriggers, step(d.Definition, "create "+d.ID().String(), d.ID()))
			if d.Enabled != "O" {
				b.add(phaseTriggers, enableTrigger(d))
			}
		} else if l.Enabled != d.Enabled {
			b.add(phaseTriggers, enableTrigger(d))
		}
		b.commentIfChanged(d.ID(), "TRIGGER "+model.QuoteIdent(d.Name)+" ON "+d.Table.String(), fresh, d.Comment,
			func() string { return l.Comment })
	}
	for _, d := range b.desired.SortedRules() {
		l := b.live.Rules[d.Key()]
		fresh := l == nil || rt.droppedRules[d.Key()] || b.droppedTables[d.Table] || b.droppedViews[d.Table]
		switch {
		case fresh:
			b.add(phaseTriggers, step(d.Definition, "create "+d.ID().String(), d.ID()))
		case l.Definition != d.Definition:
			b.add(phaseTriggers, step(replaceRule(d.Definition), "replace "+d.ID().String(), d.ID()))
		}
		if (fresh && d.Enabled != "O") || (!fresh && l.Enabled != d.Enabled) {
			b.add(phaseTriggers, step("ALTER TABLE "+d.Table.String()+" "+strings.ToUpper(triggerState(d.Enabled))+" RULE "+model.QuoteIdent(d.Name),
				triggerState(d.Enabled)+" "+d.ID().String(), d.ID()))
		}
		b.commentIfChanged(d.ID(), "RULE "+model.QuoteIdent(d.Name)+" ON "+d.Table.String(), fresh, d.Comment,
			func() string { return l.Comment })
	}
	for _, d := range b.desired.SortedEventTriggers() {
		l := b.live.EventTriggers[d.Name]
		fresh := l == nil || rt.droppedEvents[d.Name]
		if fresh {
			b.add(phaseEventTriggers, createEventTrigger(d))
			if d.Enabled != "O" {
				b.add(phaseEventTriggers, enableEventTrigger(d))
			}
		} else if l.Enabled != d.Enabled {
			b.add(phaseEventTriggers, enableEventTrigger(d))
		}
		b.commentIfChanged(d.ID(), "EVENT TRIGGER "+model.QuoteIdent(d.Name), fresh, d.Comment,
			func() string { return l.Comment })
	}
	for _, d := range b.desired.SortedFunctions() {
		l := b.live.Functions[d.Key()]
		fresh := l == nil || rt.droppedFuncs[d.Key()]
		b.commentIfChanged(d.ID(), strings.ToUpper(routineNoun(d.Kind))+" "+functionSignature(d), fresh, d.Comment,
			func() string { return l.Comment })
	}
	return nil
}

// commentIfChanged sets a comment on a new object, or changes one that
// differs on an existing object (live is read only when not fresh).
func (b *builder) commentIfChanged(id model.ObjectID, target string, fresh bool, desired string, live func() string) {
	if fresh {
		if desired != "" {
			b.add(phaseComments, comment(id, target, desired))
		}
		return
	}
	if live() != desired {
		b.add(phaseComments, comment(id, target, desired))
	}
}

// functionOrder sorts functions so that each follows the functions of the
// set it depends on in m (or precedes them, when reverse is set: drops).
func functionOrder(m *model.Model, ids []model.ObjectID, reverse bool) ([]model.ObjectID, error) {
	byName := map[model.QName]model.ObjectID{}
	set := map[model.QName]bool{}
	// topoSort works on QNames: the key (name with arguments) stands in the
	// Name field, which keeps overloads apart.
	node := func(id model.ObjectID) model.QName {
		return model.QName{Schema: id.Schema, Name: id.Name + "(" + id.Sub + ")"}
	}
	for _, id := range ids {
		n := node(id)
		set[n] = true
		byName[n] = id
	}
	prereq := map[model.QName][]model.QName{}
	for _, id := range ids {
		for _, dep := range m.Deps[id] {
			dn := node(dep)
			if dep.Kind != model.KindFunction || !set[dn] || dn == node(id) {
				continue
			}
			if reverse {
				prereq[dn] = append(prereq[dn], node(id))
			} else {
				prereq[node(id)] = append(prereq[node(id)], dn)
			}
		}
	}
	order, err := topoSort(set, prereq)
	if err != nil {
		return nil, err
	}
	out := make([]model.ObjectID, len(order))
	for i, n := range order {
		out[i] = byName[n]
	}
	return out, nil
}

// --- SQL

func routineNoun(kind string) string {
	switch kind {
	case model.RoutineProcedure:
		return "procedure"
	case model.RoutineAggregate:
		return "aggregate"
	}
	return "function"
}

// functionSignature is name(identity arguments), as DROP and COMMENT take
// it; an aggregate over no arguments is name(*).
func functionSignature(f *model.Function) string {
	args := f.Args
	if f.Kind == model.RoutineAggregate && args == "" {
		args = "*"
	}
	return f.Name.String() + "(" + args + ")"
}

func dropFunction(f *model.Function) Step {
	noun := routineNoun(f.Kind)
	return step("DROP "+strings.ToUpper(noun)+" "+functionSignature(f), "drop "+noun+" "+functionSignature(f), f.ID())
}

func dropTrigger(t *model.Trigger) Step {
	return step("DROP TRIGGER "+model.QuoteIdent(t.Name)+" ON "+t.Table.String(), "drop "+t.ID().String(), t.ID())
}

// enableTrigger sets a trigger's firing state: ENABLE, DISABLE, ENABLE
// REPLICA or ENABLE ALWAYS.
func enableTrigger(t *model.Trigger) Step {
	return step("ALTER TABLE "+t.Table.String()+" "+strings.ToUpper(triggerState(t.Enabled))+" TRIGGER "+model.QuoteIdent(t.Name),
		triggerState(t.Enabled)+" "+t.ID().String(), t.ID())
}

func triggerState(s string) string {
	switch s {
	case "D":
		return "disable"
	case "R":
		return "enable replica"
	case "A":
		return "enable always"
	}
	return "enable"
}

// replaceRule turns pg_get_ruledef's CREATE RULE into CREATE OR REPLACE
// RULE, which changes a rule in place.
func replaceRule(def string) string {
	if rest, ok := strings.CutPrefix(def, "CREATE RULE "); ok {
		return "CREATE OR REPLACE RULE " + rest
	}
	return def
}

func createEventTrigger(e *model.EventTrigger) Step {
	sql := "CREATE EVENT TRIGGER " + model.QuoteIdent(e.Name) + " ON " + model.QuoteIdent(e.Event)
	if len(e.Tags) > 0 {
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = model.QuoteLiteral(t)
		}
		sql += " WHEN TAG IN (" + strings.Join(tags, ", ") + ")"
	}
	sql += " EXECUTE FUNCTION " + e.Function.String() + "()"
	return step(sql, "create "+e.ID().String(), e.ID())
}

func enableEventTrigger(e *model.EventTrigger) Step {
	return step("ALTER EVENT TRIGGER "+model.QuoteIdent(e.Name)+" "+strings.ToUpper(triggerState(e.Enabled)),
		triggerState(e.Enabled)+" "+e.ID().String(), e.ID())
}

func dropEventTrigger(name string) Step {
	id := model.ObjectID{Kind: model.KindEventTrigger, Name: name}
	return step("DROP EVENT TRIGGER "+model.QuoteIdent(name), "drop "+id.String(), id)
}

// ---------------------------------------------------------------- casts

// emitCasts creates, drops and comments casts. A cast cannot be altered: a
// changed one is dropped and created again, as is one whose function the
// plan drops. Drops go with the triggers (before functions and types),
// creates with them (after functions and types).
func (b *builder) emitCasts() {
	dropped := map[string]bool{}
	for _, l := range b.live.SortedCasts() {
		d := b.desired.Casts[l.Key()]
		if d == nil || d.Function != l.Function || d.Method != l.Method || d.Context != l.Context ||
			(l.FunctionKey != "" && b.rt.droppedFuncs[l.FunctionKey]) {
			dropped[l.Key()] = true
			b.add(phaseDropTriggers, step("DROP CAST ("+l.Key()+")", "drop "+l.ID().String(), l.ID()))
		}
	}
	for _, d := range b.desired.SortedCasts() {
		l := b.live.Casts[d.Key()]
		fresh := l == nil || dropped[d.Key()]
		if fresh {
			b.add(phaseTriggers, createCast(d))
		}
		if (fresh && d.Comment != "") || (!fresh && l.Comment != d.Comment) {
			b.add(phaseComments, comment(d.ID(), "CAST ("+d.Key()+")", d.Comment))
		}
	}
}

func createCast(c *model.Cast) Step {
	sql := "CREATE CAST (" + c.Key() + ")"
	switch c.Method {
	case model.CastFunction:
		sql += " WITH FUNCTION " + c.Function
	case model.CastInOut:
		sql += " WITH INOUT"
	default:
		sql += " WITHOUT FUNCTION"
	}
	if ctx := diff.CastContext(c.Context); ctx != "" {
		sql += " " + ctx
	}
	return step(sql, "create "+c.ID().String(), c.ID())
}
