// Package diff compares two schema models and lists, object by object, what
// differs between the live database and the desired state. It is what
// `drift` and `verify` print, and what plan validation requires to be empty.
//
// Both models come from the same catalog inspector, so every comparison is
// plain string equality of PostgreSQL's own deparsed text: no SQL is
// normalised here.
package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Op says how an object differs.
type Op string

// Operations, from the point of view of turning live into desired.
const (
	Create Op = "create" // in desired, missing in live
	Drop   Op = "drop"   // in live, not in desired
	Alter  Op = "alter"  // in both, different
)

// Change is one object that differs between live and desired.
type Change struct {
	Op     Op
	Object model.ObjectID
	// Details are set for Alter: one human line per differing attribute,
	// "what: live → desired", e.g. "type: text → character varying(255)".
	Details []string
}

// String returns "alter column public.users.email (type: text → bigint)".
func (c Change) String() string {
	s := string(c.Op) + " " + c.Object.String()
	if len(c.Details) > 0 {
		s += " (" + strings.Join(c.Details, "; ") + ")"
	}
	return s
}

// none stands for an absent value in details.
const none = "(none)"

// Compare lists the differences between live and desired, ordered by kind
// (schemas, types, sequences, tables, columns, constraints, indexes, views)
// and then by name. Column order is ignored: columns are matched by name.
// Objects inside a created or dropped table (its columns, constraints) are
// not listed separately: the table's change covers them.
func Compare(live, desired *model.Model) []Change {
	var out []Change
	add := func(op Op, id model.ObjectID, details []string) {
		out = append(out, Change{Op: op, Object: id, Details: details})
	}
	schemaID := func(name string) model.ObjectID { return model.ObjectID{Kind: model.KindSchema, Name: name} }

	for name := range live.Schemas {
		if _, ok := desired.Schemas[name]; !ok {
			add(Drop, schemaID(name), nil)
		}
	}
	for name, d := range desired.Schemas {
		l, ok := live.Schemas[name]
		if !ok {
			add(Create, schemaID(name), nil)
			continue
		}
		if dd := details(attr("comment", l.Comment, d.Comment)); dd != nil {
			add(Alter, schemaID(name), dd)
		}
	}

	compareMap(live.Enums, desired.Enums, model.KindEnum, add, func(l, d *model.Enum) []string {
		return details(
			attr("labels", quoteList(l.Labels), quoteList(d.Labels)),
			attr("comment", l.Comment, d.Comment),
		)
	})
	compareMap(live.Sequences, desired.Sequences, model.KindSequence, add, func(l, d *model.Sequence) []string {
		return details(append(SequenceDetails("", l, d),
			attr("owned by", ownedBy(l.OwnedBy), ownedBy(d.OwnedBy)),
			attr("comment", l.Comment, d.Comment))...)
	})
	compareMap(live.Tables, desired.Tables, model.KindTable, add, func(l, d *model.Table) []string {
		compareTable(l, d, add)
		return details(append(TableDetails(l, d), attr("comment", l.Comment, d.Comment))...)
	})
	compareMap(live.Indexes, desired.Indexes, model.KindIndex, add, func(l, d *model.Index) []string {
		return details(
			attr("table", l.Table.String(), d.Table.String()),
			attr("definition", l.Definition, d.Definition),
			attr("statistics targets", strings.Join(l.StatsTargets, ", "), strings.Join(d.StatsTargets, ", ")),
			attr("partition indexes", partitionIndexes(l), partitionIndexes(d)),
			invalid(l, d),
			attr("comment", l.Comment, d.Comment),
		)
	})
	compareMap(live.Views, desired.Views, model.KindView, add, ViewDetails)
	compareRoutines(live, desired, add)
	compareTypes(live, desired, add)
	compareSecurity(live, desired, add)
	compareKeyed(live.Servers, desired.Servers, (*model.ForeignServer).ID, add, ServerDetails)
	compareKeyed(live.Casts, desired.Casts, (*model.Cast).ID, add, CastDetails)

	sort.Slice(out, func(i, j int) bool { return less(out[i].Object, out[j].Object) })
	return out
}

// compareTable adds the changes of columns and constraints of a table that
// exists on both sides.
func compareTable(l, d *model.Table, add func(Op, model.ObjectID, []string)) {
	colID := func(name string) model.ObjectID {
		return model.ObjectID{Kind: model.KindColumn, Schema: d.Name.Schema, Name: d.Name.Name, Sub: name}
	}
	for _, lc := range l.Columns {
		if d.Column(lc.Name) == nil {
			add(Drop, colID(lc.Name), nil)
		}
	}
	for _, dc := range d.Columns {
		lc := l.Column(dc.Name)
		if lc == nil {
			add(Create, colID(dc.Name), nil)
			continue
		}
		if dd := ColumnDetails(lc, dc); dd != nil {
			add(Alter, colID(dc.Name), dd)
		}
	}
	conID := func(name string) model.ObjectID {
		return model.ObjectID{Kind: model.KindConstraint, Schema: d.Name.Schema, Name: d.Name.Name, Sub: name}
	}
	for name := range l.Constraints {
		if _, ok := d.Constraints[name]; !ok {
			add(Drop, conID(name), nil)
		}
	}
	for name, dc := range d.Constraints {
		lc, ok := l.Constraints[name]
		if !ok {
			add(Create, conID(name), nil)
			continue
		}
		if dd := ConstraintDetails(lc, dc); dd != nil {
			add(Alter, conID(name), dd)
		}
	}
}

// ColumnDetails lists how a column differs; nil when it does not.
func ColumnDetails(l, d *model.Column) []string {
	dd := []string{
		attr("type", l.Type, d.Type),
		attr("declared", declared(l), declared(d)),
		attr("collation", l.Collation, d.Collation),
		attr("default", l.Default, d.Default),
		attr("not null", strconv.FormatBool(l.NotNull), strconv.FormatBool(d.NotNull)),
		attr("identity", identity(l.Identity), identity(d.Identity)),
	}
	if l.Identity != model.IdentityNone && d.Identity != model.IdentityNone &&
		l.IdentitySequence != nil && d.IdentitySequence != nil {
		dd = append(dd, attr("identity sequence", l.IdentitySequence.Name.String(), d.IdentitySequence.Name.String()))
		dd = append(dd, SequenceDetails("identity ", l.IdentitySequence, d.IdentitySequence)...)
		dd = append(dd, attr("identity sequence comment", l.IdentitySequence.Comment, d.IdentitySequence.Comment))
	}
	dd = append(dd, columnStorageDetails(l, d)...)
	dd = append(dd,
		attr("generated", l.Generated, d.Generated),
		attr("virtual", fmt.Sprint(l.Virtual), fmt.Sprint(d.Virtual)),
		attr("foreign options", strings.Join(l.FDWOptions, ", "), strings.Join(d.FDWOptions, ", ")),
		attr("comment", l.Comment, d.Comment),
	)
	return details(dd...)
}

// declared says whether the table declares a column itself or only
// inherits it from its parents.
func declared(c *model.Column) string {
	if c.Inherited {
		return "inherited only"
	}
	return "locally"
}

// SequenceDetails lists how the options of two sequences differ, each
// attribute name prefixed with prefix.
func SequenceDetails(prefix string, l, d *model.Sequence) []string {
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return details(
		attr(prefix+"type", l.Type, d.Type),
		attr(prefix+"start", i(l.Start), i(d.Start)),
		attr(prefix+"increment", i(l.Increment), i(d.Increment)),
		attr(prefix+"min", i(l.Min), i(d.Min)),
		attr(prefix+"max", i(l.Max), i(d.Max)),
		attr(prefix+"cache", i(l.Cache), i(d.Cache)),
		attr(prefix+"cycle", strconv.FormatBool(l.Cycle), strconv.FormatBool(d.Cycle)),
	)
}

// ConstraintDetails lists how a constraint differs; nil when it does not.
//
// A constraint that is NOT VALID in desired but validated in live is equal:
// NOT VALID only says that existing rows were not checked when it was
// added, and a validated constraint guarantees strictly more. Source
// written as "ADD CONSTRAINT … NOT VALID" (the online way to add one) must
// not show as drift once someone has validated it, and the planner never
// un-validates a constraint. The reverse (live NOT VALID, desired
// validated) is a change: VALIDATE CONSTRAINT.
func ConstraintDetails(l, d *model.Constraint) []string {
	validated := ""
	if d.Validated && !l.Validated {
		validated = attr("validated", "false", "true")
	}
	return details(
		attr("definition", ConstraintDefinition(l.Definition), ConstraintDefinition(d.Definition)),
		validated,
		attr("comment", l.Comment, d.Comment),
	)
}

// ConstraintDefinition returns a pg_get_constraintdef text without its
// trailing NOT VALID, which is state (Constraint.Validated), not definition.
func ConstraintDefinition(def string) string {
	return strings.TrimSuffix(def, " NOT VALID")
}

// ViewDetails lists how a view differs; nil when it does not.
func ViewDetails(l, d *model.View) []string {
	def := ""
	if lq, dq := ViewQuery(l.Definition), ViewQuery(d.Definition); lq != dq {
		// Shown on one line; pg_get_viewdef's layout is not the difference.
		def = attr("definition", oneLine(lq), oneLine(dq))
		if def == "" {
			def = "definition: layout differs"
		}
	}
	dd := []string{
		def,
		attr("columns", viewColumns(l.Columns), viewColumns(d.Columns)),
		attr("options", ViewOptions(l.Options), ViewOptions(d.Options)),
		attr("comment", l.Comment, d.Comment),
	}
	for _, dc := range d.Columns {
		for _, lc := range l.Columns {
			if lc.Name == dc.Name {
				dd = append(dd, attr("column "+model.QuoteIdent(dc.Name)+" comment", lc.Comment, dc.Comment))
			}
		}
	}
	return details(dd...)
}

// ViewQuery returns a pg_get_viewdef text without surrounding whitespace
// and its terminating semicolon.
func ViewQuery(def string) string {
	return strings.TrimSuffix(strings.TrimSpace(def), ";")
}

// ViewOptions returns a view's options in a canonical spelling: PostgreSQL
// keeps them in the order they were given, which is not a difference.
func ViewOptions(opts []string) string {
	sorted := append([]string(nil), opts...)
	sort.Strings(sorted)
	return strings.Join(sorted, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func viewColumns(cols []model.ViewColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = model.QuoteIdent(c.Name) + " " + c.Type
	}
	return strings.Join(parts, ", ")
}

// compareMap adds drops, creates and alters of one kind of schema-level
// object; alter returns the details of a pair (nil when equal).
func compareMap[T any](live, desired map[model.QName]T, kind model.Kind, add func(Op, model.ObjectID, []string), alter func(l, d T) []string) {
	for name := range live {
		if _, ok := desired[name]; !ok {
			add(Drop, model.ID(kind, name), nil)
		}
	}
	for name, d := range desired {
		l, ok := live[name]
		if !ok {
			add(Create, model.ID(kind, name), nil)
			continue
		}
		if dd := alter(l, d); dd != nil {
			add(Alter, model.ID(kind, name), dd)
		}
	}
}

// attr returns "what: live → desired", or "" when the values are equal.
func attr(what, l, d string) string {
	if l == d {
		return ""
	}
	if l == "" {
		l = none
	}
	if d == "" {
		d = none
	}
	return fmt.Sprintf("%s: %s → %s", what, l, d)
}

// details keeps the non-empty lines; nil when there are none.
func details(lines ...string) []string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func identity(s string) string {
	switch s {
	case model.IdentityAlways:
		return "always"
	case model.IdentityByDefault:
		return "by default"
	}
	return ""
}

func ownedBy(r *model.ColumnRef) string {
	if r == nil {
		return ""
	}
	return r.Table.String() + "." + model.QuoteIdent(r.Column)
}

func quoteList(labels []string) string {
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = model.QuoteLiteral(l)
	}
	return strings.Join(q, ", ")
}

// kindRank is the order of kinds in Compare's output.
var kindRank = map[model.Kind]int{
	model.KindSchema:     0,
	model.KindEnum:       1,
	model.KindSequence:   2,
	model.KindTable:      3,
	model.KindColumn:     4,
	model.KindConstraint: 5,
	model.KindIndex:      6,
	model.KindView:       7,
	// Routines and triggers after the relations they use.
	model.KindFunction:     8,
	model.KindTrigger:      9,
	model.KindRule:         9,
	model.KindEventTrigger: 10,
	model.KindOperator:     8,
	model.KindCast:         10,
	model.KindOpFamily:     8,
	model.KindOpClass:      8,

	model.KindExtension:     1,
	model.KindServer:        1,
	model.KindCollation:     1,
	model.KindTextSearchCfg: 1,
	model.KindDomain:        1,
	model.KindComposite:     1,
	model.KindRange:         1,
	model.KindMatView:       8,
	model.KindStatistics:    9,

	// Security kinds come after the objects they protect.
	model.KindPolicy:      10,
	KindDefaultPrivileges: 11,
	model.KindPublication: 12,
}

func less(a, b model.ObjectID) bool {
	if ra, rb := kindRank[a.Kind], kindRank[b.Kind]; ra != rb {
		return ra < rb
	}
	if a.Schema != b.Schema {
		return a.Schema < b.Schema
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Sub < b.Sub
}

// InvalidInLive reports whether live holds an index INVALID that desired
// has valid: a CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) that
// failed, say over duplicate rows for a unique index, left it so. The
// plan rebuilds it (REINDEX INDEX CONCURRENTLY).
//
// An index of a partitioned table (pg_get_indexdef's "ON ONLY") is left
// out: it is invalid exactly while some partition has no index attached
// to it, which desired shows too when it declares it so, and which the
// partition indexes compare (and the plan attaches); REINDEX would not
// change it. Desired, built from DDL, never holds an ordinary index
// invalid, so the reverse does not arise.
func InvalidInLive(l, d *model.Index) bool {
	return l.Invalid && !d.Invalid && !strings.Contains(l.Definition, " ON ONLY ")
}

// invalid is the detail line of an index InvalidInLive.
func invalid(l, d *model.Index) string {
	if !InvalidInLive(l, d) {
		return ""
	}
	return "invalid in live (a failed CREATE INDEX CONCURRENTLY?), to be rebuilt"
}

// partitionIndexes spells an index's attached partition indexes as
// "partition: index" pairs.
func partitionIndexes(ix *model.Index) string {
	parts := make([]string, len(ix.Partitions))
	for i, p := range ix.Partitions {
		parts[i] = p.Table.String() + ": " + model.QuoteIdent(p.Name)
	}
	return strings.Join(parts, ", ")
}
