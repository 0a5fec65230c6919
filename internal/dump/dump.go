// Package dump writes a model as a readable source tree. The emitter is the
// planner: plan.Build(model.New(), m) creates every object of m in
// dependency order, so whatever kinds the planner knows, dump writes, and a
// dump loads back into exactly the model it came from. Dump groups those
// steps by the object they belong to (a table with its indexes,
// constraints, triggers, policies, comments and grants) and lays the groups
// out as files.
package dump

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Object is one object of the model with everything that belongs to it.
type Object struct {
	// ID is the owning object: a table, view, sequence, function, type,
	// schema, extension, …
	ID model.ObjectID
	// Dir is the directory of the per-kind layout the object goes to:
	// "tables", "views", "functions", "types", "sequences", GlobalDir,
	// LateDir.
	Dir string
	// SQL holds the statements, each ending in ";", in plan order.
	SQL []string
	// A zero ID marks a preamble: a session setting the plan makes for
	// the statements after it (SET check_function_bodies = false); it
	// heads the files that need it.

	// pos holds the plan position of each statement of SQL.
	pos []int
}

// Objects returns every object of m with the statements that create it, in
// the order the planner creates them.
func Objects(m *model.Model) ([]Object, error) {
	p, err := plan.Build(model.New(), m, plan.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot write the schema as SQL: %w", err)
	}
	return Group(m, p.Steps), nil
}

// Group assigns each step to the object it belongs to (see Owner) and
// returns the objects in the order of their first step. Steps are written
// as source (see SourceSQL); steps with no place in source are left out.
func Group(m *model.Model, steps []plan.Step) []Object {
	g := newGrouper(m, steps)
	index := map[model.ObjectID]int{}
	var out []Object
	for i, st := range steps {
		sql, ok := SourceSQL(m, st)
		if !ok {
			continue
		}
		owner := g.owner(st)
		if owner == (model.ObjectID{}) {
			// A session setting for what follows (SET
			// check_function_bodies = false): see Object.Preamble.
			out = append(out, Object{SQL: []string{sql}, pos: []int{i}})
			continue
		}
		n, seen := index[owner]
		if !seen {
			n = len(out)
			index[owner] = n
			out = append(out, Object{ID: owner, Dir: KindDir(owner.Kind)})
		}
		out[n].SQL = append(out[n].SQL, sql)
		out[n].pos = append(out[n].pos, i)
	}
	return out
}

// Preamble reports whether o is a session setting rather than an object.
func (o Object) Preamble() bool { return o.ID == (model.ObjectID{}) }

// Count returns the number of objects, preambles left out.
func Count(objs []Object) int {
	n := 0
	for _, o := range objs {
		if !o.Preamble() {
			n++
		}
	}
	return n
}

// Owners returns the owning object of each step (see Group).
func Owners(m *model.Model, steps []plan.Step) []model.ObjectID {
	g := newGrouper(m, steps)
	out := make([]model.ObjectID, len(steps))
	for i, st := range steps {
		out[i] = g.owner(st)
	}
	return out
}

// SourceSQL returns a step as it belongs in source, and false for steps
// that have no place there. Indexes and constraints are written as
// PostgreSQL defines them in m, not as the planner's online rewrites
// (CONCURRENTLY, NOT VALID followed by VALIDATE), which belong in
// migrations.
func SourceSQL(m *model.Model, st plan.Step) (string, bool) {
	sql := strings.TrimSpace(st.SQL)
	if first := strings.Fields(sql); len(first) > 0 && strings.EqualFold(first[0], "DROP") {
		return "", false
	}
	id := st.Object
	switch id.Kind {
	case model.KindIndex:
		if ix := m.Indexes[id.QName()]; ix != nil && strings.HasPrefix(strings.ToUpper(sql), "CREATE") {
			return strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";") + ";", true
		}
	case model.KindConstraint:
		t := m.Tables[id.QName()]
		if t == nil || t.Constraints[id.Sub] == nil {
			break
		}
		c := t.Constraints[id.Sub]
		upper := strings.ToUpper(sql)
		if strings.Contains(upper, " VALIDATE CONSTRAINT ") {
			return "", false // the constraint is written as defined, already validated
		}
		if strings.Contains(upper, " ADD CONSTRAINT ") {
			return fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s;", id.QName(), model.QuoteIdent(c.Name), c.Definition), true
		}
	}
	if st.Isolation == plan.NoTransaction {
		return "", false // an online rewrite with no place in source
	}
	if !strings.HasSuffix(sql, ";") {
		sql += ";"
	}
	return sql, true
}

// grouper finds the owning object of steps.
type grouper struct {
	m *model.Model
	// identity maps the implicit sequence of an identity column to its table.
	identity map[model.QName]model.QName
	// relations holds the relations of other kinds the steps create.
	relations map[model.QName]model.Kind
	// named holds the kind of every other schema-level object the steps
	// create, for the parts of non-relations (a domain's constraints, a
	// composite type's attributes).
	named map[model.QName]model.Kind
}

func newGrouper(m *model.Model, steps []plan.Step) *grouper {
	g := &grouper{m: m, identity: map[model.QName]model.QName{}, relations: map[model.QName]model.Kind{}, named: map[model.QName]model.Kind{}}
	for _, st := range steps {
		id := st.Object
		if id.Sub != "" || id.Kind == model.KindSchema || id.Kind == model.KindIndex || id.Kind == model.KindColumn || id.Kind == model.KindConstraint {
			continue
		}
		if d := KindDir(id.Kind); d == "tables" || d == "views" {
			g.relations[id.QName()] = id.Kind
		} else if _, ok := g.named[id.QName()]; !ok {
			g.named[id.QName()] = id.Kind
		}
	}
	for _, t := range m.Tables {
		for _, c := range t.Columns {
			if c.IdentitySequence != nil {
				g.identity[c.IdentitySequence.Name] = t.Name
			}
		}
	}
	return g
}

// owner returns the object a step belongs to: Step.Owner when the planner
// set it, else the owner of Step.Object.
func (g *grouper) owner(st plan.Step) model.ObjectID {
	if st.Object == (model.ObjectID{}) && st.Owner == (model.ObjectID{}) {
		return model.ObjectID{}
	}
	if st.Owner != (model.ObjectID{}) {
		return g.resolve(st.Owner, 0)
	}
	return g.resolve(st.Object, 0)
}

// resolve maps an object to the object whose file declares it: parts of a
// relation (columns, constraints, indexes, triggers, policies, owned
// sequences, comments and grants on them) go with the relation.
func (g *grouper) resolve(id model.ObjectID, depth int) model.ObjectID {
	q := id.QName()
	switch id.Kind {
	case model.KindSchema:
		return model.ObjectID{Kind: model.KindSchema, Name: id.Name}
	case model.KindTable, model.KindView:
		return model.ID(id.Kind, q)
	case model.KindIndex:
		if ix := g.m.Indexes[q]; ix != nil {
			return g.relation(ix.Table, id)
		}
	case model.KindSequence:
		if s := g.m.Sequences[q]; s != nil && s.OwnedBy != nil {
			return g.relation(s.OwnedBy.Table, id)
		}
		if t, ok := g.identity[q]; ok {
			return g.relation(t, id)
		}
		return model.ID(model.KindSequence, q)
	}
	part := id.Kind == model.KindColumn || id.Kind == model.KindConstraint || isRelationPart(id.Kind)
	if _, ok := g.relKind(q); ok && part && (id.Sub != "" || id.Kind == model.KindColumn || id.Kind == model.KindConstraint) {
		// Columns, constraints, and other parts that name their relation
		// with Sub for their own name (triggers, policies).
		return g.relation(q, id)
	}
	if part && depth == 0 {
		// A trigger, policy or rule named on its own: it belongs to the
		// relation it depends on.
		for _, dep := range g.m.Deps[id] {
			if _, ok := g.relKind(dep.QName()); ok && dep.Sub == "" {
				return g.relation(dep.QName(), id)
			}
		}
	}
	if k, ok := g.named[q]; ok && (id.Kind == model.KindColumn || id.Kind == model.KindConstraint) {
		return model.ID(k, q)
	}
	return model.ObjectID{Kind: id.Kind, Schema: id.Schema, Name: id.Name}
}

// relation returns the owning object of the relation named q, for a part
// (from) that lives on it.
func (g *grouper) relation(q model.QName, from model.ObjectID) model.ObjectID {
	if k, ok := g.relKind(q); ok {
		return model.ID(k, q)
	}
	return model.ID(model.KindTable, q)
}

// relKind returns the kind of the relation named q: a table or view of the
// model, or a relation of a kind the model keeps elsewhere (a materialized
// view, a partitioned or foreign table) that a step creates.
func (g *grouper) relKind(q model.QName) (model.Kind, bool) {
	switch {
	case g.m.Tables[q] != nil:
		return model.KindTable, true
	case g.m.Views[q] != nil:
		return model.KindView, true
	}
	k, ok := g.relations[q]
	return k, ok
}

// isRelationPart reports whether objects of kind live on a table or view.
func isRelationPart(k model.Kind) bool {
	s := strings.ToLower(string(k))
	if strings.Contains(s, "event") {
		return false
	}
	return strings.Contains(s, "trigger") || strings.Contains(s, "policy") || strings.Contains(s, "rule") ||
		strings.Contains(s, "statistic") || strings.Contains(s, "grant") ||
		strings.Contains(s, "privilege") && !strings.Contains(s, "default")
}

// GlobalDir is the per-kind layout's directory of objects outside tables
// and types: schemas, extensions, servers, publications, event triggers and
// default privileges, one file per kind. (The shadow database runs default
// privileges and event triggers after everything else, wherever they are.)
const GlobalDir = "_global"

// KindDir is the per-kind directory of objects of a kind.
func KindDir(k model.Kind) string {
	s := strings.ToLower(string(k))
	switch {
	case k == model.KindTable || strings.Contains(s, "table") && !strings.Contains(s, "foreign data"):
		return "tables"
	case strings.Contains(s, "view"):
		return "views"
	case k == model.KindSequence:
		return "sequences"
	case strings.Contains(s, "function"), strings.Contains(s, "procedure"), strings.Contains(s, "aggregate"),
		strings.Contains(s, "routine"), strings.Contains(s, "cast"), strings.Contains(s, "operator"):
		return "functions"
	case k == model.KindSchema, strings.Contains(s, "event"), strings.Contains(s, "default"), strings.Contains(s, "extension"), strings.Contains(s, "publication"), strings.Contains(s, "subscription"),
		strings.Contains(s, "foreign data"), strings.Contains(s, "server"), strings.Contains(s, "language"):
		return GlobalDir
	case k == model.KindEnum, strings.Contains(s, "type"), strings.Contains(s, "domain"), strings.Contains(s, "enum"),
		strings.Contains(s, "range"), strings.Contains(s, "collation"), strings.Contains(s, "text search"),
		strings.Contains(s, "statistic"), strings.Contains(s, "composite"):
		return "types"
	}
	return plural(fileSafe(strings.ReplaceAll(s, " ", "_")))
}

// Kinds returns the distinct kinds of objs, sorted.
func Kinds(objs []Object) []model.Kind {
	seen := map[model.Kind]bool{}
	var out []model.Kind
	for _, o := range objs {
		if !seen[o.ID.Kind] {
			seen[o.ID.Kind] = true
			out = append(out, o.ID.Kind)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
