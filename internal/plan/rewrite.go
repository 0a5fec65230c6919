package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Names of the safety rewrites, as Step.Rewrite and the "[rewrite: …]"
// marker of a step's summary spell them.
const (
	RewriteNotValid          = "not_valid_validate"
	RewriteConcurrentIndex   = "concurrent_index"
	RewriteConcurrentDrop    = "concurrent_drop_index"
	RewriteStagedSetNotNull  = "staged_set_not_null"
	RewriteIndexSwap         = "index_swap"
	defaultSetNotNullRowHint = 10000
)

// DefaultOptions are the planner options pg-flux runs with unless told
// otherwise: every safety rewrite on, SET NOT NULL staged above 10000 rows.
func DefaultOptions() Options {
	return Options{AutoNotValid: true, SetNotNullRelTuplesHint: defaultSetNotNullRowHint}
}

// Rewrite turns the steps of a plan that would hold a long lock on an
// existing table into lock-friendly equivalents, each rewrite a visible
// step of its own:
//   - ADD CONSTRAINT CHECK/FOREIGN KEY → ADD … NOT VALID, then VALIDATE
//     CONSTRAINT in its own transaction (opts.AutoNotValid);
//   - CREATE INDEX → CREATE INDEX CONCURRENTLY IF NOT EXISTS;
//   - DROP INDEX → DROP INDEX CONCURRENTLY IF EXISTS;
//   - an index whose definition changed → the new one built concurrently
//     under a temporary name, the old one dropped concurrently, the new one
//     renamed;
//   - SET NOT NULL on a table with more than opts.SetNotNullRelTuplesHint
//     estimated rows → ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET
//     NOT NULL (which then skips its scan), DROP the CHECK.
//
// Tables created or dropped by the plan get none: they hold no rows anyone
// is waiting on.
func Rewrite(p *Plan, live, desired *model.Model, opts Options) *Plan {
	// A recreated table (repartition.go) is new to the plan, as created tables are.
	_, live = planRepartitions(live, desired)
	r := &rewriter{live: live, desired: desired, opts: opts, names: map[model.QName]bool{}}
	r.scan(p.Steps)
	out := &Plan{Conversions: p.Conversions, RowChecks: p.RowChecks}
	for _, st := range p.Steps {
		out.Steps = append(out.Steps, r.rewrite(st)...)
	}
	return out
}

type rewriter struct {
	live, desired *model.Model
	opts          Options
	// unsettled are tables whose columns are dropped or retyped by the
	// plan: an index on them is not swapped (the old one may not survive,
	// or must go before the column changes).
	unsettled map[model.QName]bool
	// swaps are the indexes dropped and created again: index → true.
	swaps map[model.QName]bool
	// names are index names taken by the swap's temporary indexes.
	names map[model.QName]bool
}

func (r *rewriter) scan(steps []Step) {
	r.unsettled = map[model.QName]bool{}
	dropped, created := map[model.QName]bool{}, map[model.QName]bool{}
	for _, st := range steps {
		switch st.Object.Kind {
		case model.KindColumn:
			if strings.Contains(st.SQL, " DROP COLUMN ") || strings.HasSuffix(st.Summary, " type") {
				r.unsettled[st.Object.QName()] = true
			}
		case model.KindIndex:
			if strings.HasPrefix(st.SQL, "DROP INDEX ") {
				dropped[st.Object.QName()] = true
			} else if strings.HasPrefix(st.SQL, "CREATE ") {
				created[st.Object.QName()] = true
			}
		}
	}
	r.swaps = map[model.QName]bool{}
	for name := range dropped {
		ix := r.desired.Indexes[name]
		if created[name] && ix != nil && r.existing(ix.Table) && !r.unsettled[ix.Table] && !strings.Contains(ix.Definition, " ON ONLY ") &&
			r.onlyOnTable(name, ix.Table) {
			r.swaps[name] = true
		}
	}
}

// onlyOnTable reports whether the live index depends on nothing but its
// table and its columns. An index that uses a function, a type or a
// collation the plan may drop or replace must go where the plan dropped
// it, not after its replacement is built.
func (r *rewriter) onlyOnTable(index, table model.QName) bool {
	for _, dep := range r.live.Deps[indexID(index)] {
		if (dep.Kind != model.KindTable && dep.Kind != model.KindColumn) || dep.QName() != table {
			return false
		}
	}
	return true
}

// existing reports whether a table is live and stays: rewrites only help
// tables that hold rows and outlive the plan. (An index on a partitioned
// table reads "ON ONLY" and is never rewritten: PostgreSQL cannot build it
// concurrently.)
func (r *rewriter) existing(table model.QName) bool {
	return r.live.Tables[table] != nil && r.desired.Tables[table] != nil
}

func marked(s Step, name string) Step {
	s.Rewrite = name
	s.Summary += " [rewrite: " + name + "]"
	return s
}

func (r *rewriter) rewrite(st Step) []Step {
	id := st.Object
	switch {
	case id.Kind == model.KindConstraint && strings.Contains(st.SQL, " ADD CONSTRAINT "):
		return r.constraint(st)
	case id.Kind == model.KindIndex && strings.HasPrefix(st.SQL, "DROP INDEX "):
		if r.swaps[id.QName()] {
			return nil // dropped after its replacement is built
		}
		l := r.live.Indexes[id.QName()]
		if l == nil || !r.existing(l.Table) || strings.Contains(l.Definition, " ON ONLY ") {
			return []Step{st}
		}
		return []Step{concurrentDrop(id.QName(), RewriteConcurrentDrop)}
	case id.Kind == model.KindIndex && strings.HasPrefix(st.SQL, "CREATE "):
		ix := r.desired.Indexes[id.QName()]
		if ix == nil || !r.existing(ix.Table) || strings.Contains(ix.Definition, " ON ONLY ") {
			return []Step{st}
		}
		if r.swaps[ix.Name] {
			return r.swap(ix)
		}
		c, ok := concurrentCreate(ix.Definition, ix.Name.Name, ix.Name.Name)
		if !ok {
			return []Step{st}
		}
		return []Step{marked(Step{SQL: c + ";", Summary: st.Summary, Object: id, Isolation: NoTransaction}, RewriteConcurrentIndex)}
	case id.Kind == model.KindColumn && strings.HasSuffix(st.SQL, " SET NOT NULL;"):
		return r.setNotNull(st)
	}
	return []Step{st}
}

// constraint adds a CHECK or FOREIGN KEY to an existing table NOT VALID and
// validates it in a step of its own.
func (r *rewriter) constraint(st Step) []Step {
	table := st.Object.QName()
	if !r.opts.AutoNotValid || !r.existing(table) {
		return []Step{st}
	}
	c := r.desired.Tables[table].Constraints[st.Object.Sub]
	if c == nil || (c.Type != model.Check && c.Type != model.ForeignKey) || !c.Validated || strings.HasSuffix(c.Definition, "NOT VALID") {
		return []Step{st}
	}
	if c.Type == model.ForeignKey && r.desired.Tables[table].PartitionBy != "" {
		// PostgreSQL cannot add a NOT VALID foreign key to a partitioned table.
		return []Step{st}
	}
	add := st
	add.SQL = strings.TrimSuffix(st.SQL, ";") + " NOT VALID;"
	add.Summary += " NOT VALID"
	v := validateConstraint(table, c.Name)
	return []Step{marked(add, RewriteNotValid), marked(v, RewriteNotValid)}
}

// setNotNull stages SET NOT NULL on a large table: PostgreSQL skips the
// full scan of SET NOT NULL when a validated CHECK (col IS NOT NULL)
// proves it, and VALIDATE scans without blocking writes.
func (r *rewriter) setNotNull(st Step) []Step {
	table, col := st.Object.QName(), st.Object.Sub
	hint := r.opts.SetNotNullRelTuplesHint
	stats, ok := r.live.Stats[table]
	if hint <= 0 || !ok || stats.RelTuples <= hint || !r.existing(table) || r.live.Tables[table].Column(col) == nil {
		return []Step{st}
	}
	if r.opts.Major >= notNullNotValidMajor {
		return r.setNotNull18(table, col, st)
	}
	name := r.checkName(table, col)
	q := model.QuoteIdent(name)
	add := step(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", table, q, model.QuoteIdent(col)),
		"add "+constraintID(table, name).String()+" NOT VALID", constraintID(table, name))
	drop := dropConstraint(table, name)
	return []Step{
		marked(add, RewriteStagedSetNotNull),
		marked(validateConstraint(table, name), RewriteStagedSetNotNull),
		marked(st, RewriteStagedSetNotNull),
		marked(drop, RewriteStagedSetNotNull),
	}
}

// checkName is "<col>_not_null", made unique among the table's live and
// desired constraints.
func (r *rewriter) checkName(table model.QName, col string) string {
	taken := func(n string) bool {
		for _, m := range []*model.Model{r.live, r.desired} {
			if t := m.Tables[table]; t != nil && t.Constraints[n] != nil {
				return true
			}
		}
		return false
	}
	for i := 0; ; i++ {
		suffix := "_not_null"
		if i > 0 {
			suffix += fmt.Sprint(i)
		}
		if n := truncateIdent(col, 63-len(suffix)) + suffix; !taken(n) {
			return n
		}
	}
}

// swap replaces an index whose definition changed without a moment
// without it: the new definition is built concurrently under a temporary
// name, the old index dropped concurrently, and the new one takes its name.
func (r *rewriter) swap(ix *model.Index) []Step {
	tmp := r.tempIndexName(ix.Name)
	c, ok := concurrentCreate(ix.Definition, ix.Name.Name, tmp.Name)
	if !ok {
		return []Step{createIndex(ix)}
	}
	build := Step{SQL: c + ";", Summary: "create index " + tmp.String() + " (new definition of " + ix.Name.String() + ")",
		Object: indexID(ix.Name), Isolation: NoTransaction}
	rename := step(fmt.Sprintf("ALTER INDEX %s RENAME TO %s", tmp, model.QuoteIdent(ix.Name.Name)),
		"rename index "+tmp.String()+" to "+model.QuoteIdent(ix.Name.Name), indexID(ix.Name))
	steps := []Step{marked(build, RewriteIndexSwap)}
	if t := r.desired.Tables[ix.Table]; t != nil && t.ReplicaIdentity == "USING INDEX "+model.QuoteIdent(ix.Name.Name) {
		// Dropping the replica identity index leaves the table without
		// one, and UPDATE and DELETE on a published table fail until it
		// is named again: the new index takes over first (the flag stays
		// with it through the rename).
		ri := step(fmt.Sprintf("ALTER TABLE %s REPLICA IDENTITY USING INDEX %s", ix.Table, model.QuoteIdent(tmp.Name)),
			"set replica identity of table "+ix.Table.String()+" to "+model.QuoteIdent(tmp.Name), tableID(ix.Table))
		steps = append(steps, marked(ri, RewriteIndexSwap))
	}
	return append(steps,
		marked(concurrentDrop(ix.Name, ""), RewriteIndexSwap),
		marked(rename, RewriteIndexSwap),
	)
}

// tempIndexName is "<name>_new", unused on either side.
func (r *rewriter) tempIndexName(name model.QName) model.QName {
	for i := 0; ; i++ {
		suffix := "_new"
		if i > 0 {
			suffix += fmt.Sprint(i)
		}
		q := model.QName{Schema: name.Schema, Name: truncateIdent(name.Name, 63-len(suffix)) + suffix}
		free := !r.names[q]
		for _, m := range []*model.Model{r.live, r.desired} {
			if m.Indexes[q] != nil || m.Tables[q] != nil || m.Views[q] != nil || m.Sequences[q] != nil {
				free = false
			}
			for _, t := range m.Tables {
				if t.Name.Schema == q.Schema && t.Constraints[q.Name] != nil {
					free = false
				}
			}
		}
		if free {
			r.names[q] = true
			return q
		}
	}
}

// concurrentCreate turns pg_get_indexdef's "CREATE [UNIQUE] INDEX name ON …"
// into "CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS newName ON …".
func concurrentCreate(def, name, newName string) (string, bool) {
	def = strings.TrimSuffix(strings.TrimSpace(def), ";")
	for _, prefix := range []string{"CREATE UNIQUE INDEX ", "CREATE INDEX "} {
		rest, ok := strings.CutPrefix(def, prefix+model.QuoteIdent(name)+" ON ")
		if ok {
			return prefix + "CONCURRENTLY IF NOT EXISTS " + model.QuoteIdent(newName) + " ON " + rest, true
		}
	}
	return "", false
}

func concurrentDrop(name model.QName, rewrite string) Step {
	s := step("DROP INDEX CONCURRENTLY IF EXISTS "+name.String(), "drop index "+name.String(), indexID(name))
	s.Isolation = NoTransaction
	if rewrite != "" {
		s = marked(s, rewrite)
	}
	return s
}
