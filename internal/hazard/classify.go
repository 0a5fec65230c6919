package hazard

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Fixed messages of the catalogue (spec/hazards.txt).
const (
	msgConstraintScan = "Adding constraint may scan table"
	msgValidateScan   = "Validates constraint under ShareUpdateExclusive lock"
)

// Options carry live facts the classifier cannot read from a model.
type Options struct {
	// Volatility maps function names, as written in the statements
	// ("gen_random_uuid", "app.next_code"), to pg_proc.provolatile ('i',
	// 's' or 'v') of the live database; see LookupVolatility. A function
	// missing from the map is taken to be volatile.
	Volatility map[string]byte
}

// Classify finds the hazards of a list of statements, in statement order.
// live is the database the statements will run against; it may be nil when
// unknown (linting without a database), in which case every judgement that
// needs it errs on the side of reporting. Objects created earlier in the same
// list hold no data yet, so changes to them are not hazards.
func Classify(stmts []source.Statement, live *model.Model) ([]Finding, error) {
	return ClassifyWith(stmts, live, Options{})
}

// ClassifyWith is Classify with live facts beyond the model.
func ClassifyWith(stmts []source.Statement, live *model.Model, opts Options) ([]Finding, error) {
	c := &classifier{
		live:          live,
		opts:          opts,
		created:       map[model.ObjectID]bool{},
		addedCols:     map[model.ObjectID]bool{},
		renamedTypes:  map[model.QName]model.QName{},
		renamedAway:   map[model.QName]bool{},
		laterTypes:    map[model.QName]bool{},
		retyped:       map[model.ObjectID]bool{},
		droppedCols:   map[model.ObjectID]bool{},
		droppedTables: map[model.QName]bool{},
		notNullChecks: map[model.ObjectID]bool{},
	}
	trees := make([]*pg_query.ParseResult, len(stmts))
	for i, st := range stmts {
		if st.Unparsed {
			continue // classifyUnparsed, below
		}
		tree, err := pg_query.Parse(st.SQL)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", st.File, st.Line, err)
		}
		trees[i] = tree
		// Types created anywhere in the list: renaming a type out of the
		// way of its replacement is how an enum is recreated, not a rename
		// clients see.
		for _, raw := range tree.Stmts {
			if e := raw.Stmt.GetCreateEnumStmt(); e != nil {
				c.laterTypes[namesToQName(e.TypeName)] = true
			}
		}
	}
	for i, tree := range trees {
		c.stmt = i
		c.text = stmts[i].SQL
		if tree == nil {
			c.classifyUnparsed(stmts[i].Node, stmts[i].SQL)
			continue
		}
		c.version = tree.Version
		for _, raw := range tree.Stmts {
			c.classify(raw.Stmt)
		}
	}
	if c.live != nil && len(c.derived.replaced) > 0 {
		c.staleDerived()
		sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].Statement < c.findings[j].Statement })
	}
	return c.findings, nil
}

type classifier struct {
	live     *model.Model
	opts     Options
	findings []Finding
	stmt     int    // index of the statement being classified
	text     string // its SQL, for fallbacks
	version  int32  // parse tree version, required by the deparser

	// created holds tables, views and types created earlier in the list;
	// addedCols holds columns (Kind column, Sub = column) added to existing
	// tables earlier in the list.
	created   map[model.ObjectID]bool
	addedCols map[model.ObjectID]bool
	// renamedTypes maps the current name of a live type renamed earlier in
	// the list to its live name; renamedAway holds the live names so
	// vacated. laterTypes are the types created anywhere in the list.
	renamedTypes map[model.QName]model.QName
	renamedAway  map[model.QName]bool
	laterTypes   map[model.QName]bool
	// retyped and droppedCols are live columns whose type was changed or
	// that were dropped earlier in the list; droppedTables likewise.
	retyped       map[model.ObjectID]bool
	droppedCols   map[model.ObjectID]bool
	droppedTables map[model.QName]bool
	// notNullChecks are columns given a CHECK (col IS NOT NULL) NOT VALID
	// earlier in the list: the first step of the staged SET NOT NULL.
	notNullChecks map[model.ObjectID]bool
	policies      policyState      // DROP POLICY + CREATE POLICY pairs (policy.go)
	rp            repartitionState // tables recreated with a new partition layout (repartition.go)
	derived       derivedState     // IMMUTABLE functions replaced, what is rebuilt (derived.go)
}

func (c *classifier) add(kind Kind, format string, args ...any) {
	c.findings = append(c.findings, Finding{Kind: kind, Message: fmt.Sprintf(format, args...), Statement: c.stmt})
}

func (c *classifier) classify(n *pg_query.Node) {
	c.policyGap(n)
	if c.live != nil {
		c.rebuilds(n)
	}
	switch {
	case n.GetCreateFunctionStmt() != nil:
		c.replaceFunction(n.GetCreateFunctionStmt())
	case n.GetCreateStmt() != nil:
		c.created[model.ID(model.KindTable, rangeVarName(n.GetCreateStmt().Relation))] = true
	case n.GetCreateForeignTableStmt() != nil && n.GetCreateForeignTableStmt().BaseStmt != nil:
		c.created[model.ID(model.KindTable, rangeVarName(n.GetCreateForeignTableStmt().BaseStmt.Relation))] = true
	case n.GetCreateTableAsStmt() != nil:
		s := n.GetCreateTableAsStmt()
		if s.Into != nil && s.Into.Rel != nil {
			kind := model.KindTable
			if s.Objtype == pg_query.ObjectType_OBJECT_MATVIEW {
				kind = "materialized view"
			}
			c.created[model.ID(kind, rangeVarName(s.Into.Rel))] = true
		}
	case n.GetViewStmt() != nil:
		c.created[model.ID(model.KindView, rangeVarName(n.GetViewStmt().View))] = true
	case n.GetCreateEnumStmt() != nil:
		c.createEnum(n.GetCreateEnumStmt())
	case n.GetCompositeTypeStmt() != nil:
		c.created[model.ID(model.KindEnum, rangeVarName(n.GetCompositeTypeStmt().Typevar))] = true
	case n.GetCreateRangeStmt() != nil:
		c.created[model.ID(model.KindEnum, namesToQName(n.GetCreateRangeStmt().TypeName))] = true
	case n.GetCreateDomainStmt() != nil:
		c.created[model.ID("domain", namesToQName(n.GetCreateDomainStmt().Domainname))] = true
	case n.GetDropStmt() != nil:
		c.drop(n.GetDropStmt())
	case n.GetTruncateStmt() != nil:
		for _, r := range n.GetTruncateStmt().Relations {
			if rv := r.GetRangeVar(); rv != nil {
				q := rangeVarName(rv)
				if !c.created[model.ID(model.KindTable, q)] {
					c.add(DataLoss, "Truncates table %s", q)
				}
			}
		}
	case n.GetAlterTableStmt() != nil:
		c.alterTable(n.GetAlterTableStmt())
	case n.GetAlterDomainStmt() != nil:
		c.alterDomain(n.GetAlterDomainStmt())
	case n.GetAlterObjectSchemaStmt() != nil:
		c.moveAside(n.GetAlterObjectSchemaStmt())
	case n.GetInsertStmt() != nil:
		c.copyRows(n.GetInsertStmt())
	case n.GetRenameStmt() != nil:
		c.rename(n.GetRenameStmt())
	case n.GetIndexStmt() != nil:
		c.createIndex(n.GetIndexStmt())
	case n.GetGrantStmt() != nil, n.GetGrantRoleStmt() != nil, n.GetAlterDefaultPrivilegesStmt() != nil:
		c.privileges(n)
	case n.GetCreateSeqStmt() != nil:
		c.created[model.ID(model.KindSequence, rangeVarName(n.GetCreateSeqStmt().Sequence))] = true
	case n.GetCreatePolicyStmt() != nil:
		s := n.GetCreatePolicyStmt()
		if c.created[model.ID(model.KindTable, rangeVarName(s.Table))] {
			return
		}
		c.add(PrivilegeChange, "Creates policy %s on %s: changes which rows roles can see or change", model.QuoteIdent(s.PolicyName), rangeVarName(s.Table))
	case n.GetAlterPolicyStmt() != nil:
		s := n.GetAlterPolicyStmt()
		c.add(PrivilegeChange, "Alters policy %s on %s: changes which rows roles can see or change", model.QuoteIdent(s.PolicyName), rangeVarName(s.Table))
	}
}

// createEnum records a created type and, when it replaces a live enum that
// was renamed out of its way (how values are removed or reordered), reports
// the values lost.
func (c *classifier) createEnum(s *pg_query.CreateEnumStmt) {
	q := namesToQName(s.TypeName)
	c.created[model.ID(model.KindEnum, q)] = true
	if !c.renamedAway[q] || c.live == nil || c.live.Enums[q] == nil {
		return
	}
	var labels []string
	for _, v := range s.Vals {
		if sv := v.GetString_(); sv != nil {
			labels = append(labels, sv.Sval)
		}
	}
	old := c.live.Enums[q].Labels
	var removed []string
	for _, l := range old {
		if !slices.Contains(labels, l) {
			removed = append(removed, model.QuoteLiteral(l))
		}
	}
	switch {
	case len(removed) > 0:
		c.add(DataLoss, "Removes value(s) %s from enum %s", strings.Join(removed, ", "), q)
	case !isSubsequence(old, labels):
		// Rows keep their values, but every column is rewritten to the new
		// type and the old sort order is gone: still reported, so nobody
		// recreates a type by accident.
		c.add(DataLoss, "Recreates enum %s to reorder its values", q)
	}
}

// isSubsequence reports whether every element of a appears in b in order.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, l := range b {
		if i < len(a) && a[i] == l {
			i++
		}
	}
	return i == len(a)
}

func (c *classifier) drop(s *pg_query.DropStmt) {
	for _, obj := range s.Objects {
		switch s.RemoveType {
		case pg_query.ObjectType_OBJECT_TABLE:
			if q, ok := listToQName(obj); ok && !c.created[model.ID(model.KindTable, q)] {
				orig, copied := c.droppedAside(q)
				if copied {
					continue
				}
				c.droppedTables[orig] = true
				c.add(DataLoss, "Drops table %s", orig)
			}
		case pg_query.ObjectType_OBJECT_VIEW:
			if q, ok := listToQName(obj); ok && !c.created[model.ID(model.KindView, q)] {
				c.add(DataLoss, "Drops view %s", q)
			}
		case pg_query.ObjectType_OBJECT_FOREIGN_TABLE:
			// The rows stay where they live; what goes is the definition,
			// as with a view.
			if q, ok := listToQName(obj); ok && !c.created[model.ID(model.KindTable, q)] {
				c.add(DataLoss, "Drops foreign table %s", q)
			}
		case pg_query.ObjectType_OBJECT_MATVIEW:
			if q, ok := listToQName(obj); ok && !c.created[model.ID("materialized view", q)] {
				c.add(DataLoss, "Drops materialized view %s", q)
			}
		case pg_query.ObjectType_OBJECT_TYPE:
			if tn := obj.GetTypeName(); tn != nil {
				q := namesToQName(tn.Names)
				liveName, renamed := c.renamedTypes[q]
				if !renamed {
					if c.created[model.ID(model.KindEnum, q)] {
						continue
					}
					liveName = q
				}
				if c.live == nil {
					c.add(DataLoss, "Drops type %s", q)
				} else if users := c.columnsOfType(liveName); len(users) > 0 {
					c.add(DataLoss, "Drops type %s (used by %s)", q, strings.Join(users, ", "))
				}
			}
		case pg_query.ObjectType_OBJECT_DOMAIN:
			if tn := obj.GetTypeName(); tn != nil {
				q := namesToQName(tn.Names)
				if !c.created[model.ID("domain", q)] {
					c.add(DataLoss, "Drops domain %s", q)
				}
			}
		case pg_query.ObjectType_OBJECT_SCHEMA:
			// Without CASCADE a schema that still holds objects cannot be
			// dropped, so only CASCADE can lose data.
			if sv := obj.GetString_(); sv != nil && s.Behavior == pg_query.DropBehavior_DROP_CASCADE {
				c.add(DataLoss, "Drops schema %s with everything in it (CASCADE)", model.QuoteIdent(sv.Sval))
			}
		}
	}
}

// columnsOfType lists the live columns ("public.users.mood") whose type is
// q or an array of q, leaving out those dropped or given another type
// earlier in the list.
func (c *classifier) columnsOfType(q model.QName) []string {
	var out []string
	for _, t := range c.live.SortedTables() {
		if c.droppedTables[t.Name] {
			continue
		}
		for _, col := range t.Columns {
			id := model.ObjectID{Kind: model.KindColumn, Schema: t.Name.Schema, Name: t.Name.Name, Sub: col.Name}
			if c.retyped[id] || c.droppedCols[id] {
				continue
			}
			if strings.TrimRight(col.Type, "[]") == q.String() {
				out = append(out, t.Name.String()+"."+model.QuoteIdent(col.Name))
			}
		}
	}
	return out
}

func (c *classifier) alterTable(s *pg_query.AlterTableStmt) {
	if s.Objtype == pg_query.ObjectType_OBJECT_TYPE && s.Relation != nil {
		c.alterCompositeType(s)
		return
	}
	if s.Objtype != pg_query.ObjectType_OBJECT_TABLE || s.Relation == nil {
		return
	}
	table := rangeVarName(s.Relation)
	tableID := model.ID(model.KindTable, table)
	isNew := c.created[tableID]
	for _, node := range s.Cmds {
		cmd := node.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		colID := model.ObjectID{Kind: model.KindColumn, Schema: table.Schema, Name: table.Name, Sub: cmd.Name}
		switch cmd.Subtype {
		case pg_query.AlterTableType_AT_AddColumn:
			if def := cmd.Def.GetColumnDef(); def != nil {
				colID.Sub = def.Colname
				c.addedCols[colID] = true
				if !isNew && c.liveTable(table) {
					c.addColumn(table, def)
				}
			}
		case pg_query.AlterTableType_AT_DropColumn:
			if !isNew && !c.addedCols[colID] {
				c.droppedCols[colID] = true
				c.add(DataLoss, "Drops column %s.%s", table, model.QuoteIdent(cmd.Name))
			}
		case pg_query.AlterTableType_AT_AlterColumnType:
			def := cmd.Def.GetColumnDef()
			if isNew || c.addedCols[colID] || def == nil {
				continue
			}
			if !c.metadataOnly(table, cmd.Name, def) {
				c.add(ColumnTypeChange, "%s", c.renderTypeChange(table, node))
			}
			c.retyped[colID] = true
			if s.Relation.Inh {
				c.retypeDescendants(table, cmd.Name)
			}
		case pg_query.AlterTableType_AT_SetExpression:
			if !isNew && !c.addedCols[colID] && !c.liveVirtual(table, cmd.Name) {
				c.add(TableRewrite, "Changes the expression of generated column %s.%s: rewrites the table under ACCESS EXCLUSIVE lock", table, model.QuoteIdent(cmd.Name))
			}
		case pg_query.AlterTableType_AT_SetNotNull:
			if !isNew && !c.addedCols[colID] && c.notNullChecks[colID] {
				rows := ""
				if c.live != nil {
					if st, ok := c.live.Stats[table]; ok && st.RelTuples >= 0 {
						rows = " (" + FormatRows(st.RelTuples) + " rows)"
					}
				}
				c.add(StagedSetNotNull, "Rewrote SET NOT NULL on %s.%s%s to 4-step pattern", table, model.QuoteIdent(cmd.Name), rows)
			}
		case pg_query.AlterTableType_AT_AddConstraint:
			con := cmd.Def.GetConstraint()
			if con != nil && con.SkipValidation && con.Contype == pg_query.ConstrType_CONSTR_CHECK {
				if col := notNullTest(con.RawExpr); col != "" {
					c.notNullChecks[model.ObjectID{Kind: model.KindColumn, Schema: table.Schema, Name: table.Name, Sub: col}] = true
				}
			}
			if con == nil || con.SkipValidation || isNew {
				continue
			}
			if con.Contype != pg_query.ConstrType_CONSTR_CHECK && con.Contype != pg_query.ConstrType_CONSTR_FOREIGN {
				continue
			}
			if c.live != nil && c.live.Tables[table] == nil {
				// Not a live table and not created here: nothing to scan.
				continue
			}
			c.add(ConstraintScan, msgConstraintScan)
		case pg_query.AlterTableType_AT_ValidateConstraint:
			c.add(ValidateConstraintScan, msgValidateScan)
		case pg_query.AlterTableType_AT_EnableRowSecurity, pg_query.AlterTableType_AT_DisableRowSecurity,
			pg_query.AlterTableType_AT_ForceRowSecurity, pg_query.AlterTableType_AT_NoForceRowSecurity:
			if !isNew {
				c.add(PrivilegeChange, "Changes row level security of %s: changes which rows roles can see or change", table)
			}
		}
	}
}

// metadataOnly reports whether ALTER COLUMN … TYPE can be done without
// rewriting the table, judged against the live column. Anything unknown is
// treated as a rewrite.
func (c *classifier) metadataOnly(table model.QName, column string, def *pg_query.ColumnDef) bool {
	if c.live == nil {
		return false
	}
	t := c.live.Tables[table]
	if t == nil {
		return false
	}
	col := t.Column(column)
	if col == nil {
		return false
	}
	if def.RawDefault != nil && !trivialUsing(def.RawDefault, column, def.TypeName) {
		return false
	}
	if !binaryCompatible(parseLiveType(col.Type), parseTypeName(def.TypeName)) {
		return false
	}
	// A collation change alone keeps the table (the values are the same
	// bytes), but every index on the column is rebuilt under the ACCESS
	// EXCLUSIVE lock: sort order is part of the index.
	return sameCollation(col.Collation, def.CollClause) || !c.indexed(table, column)
}

// trivialUsing reports whether a USING expression is just the column, or the
// column cast to the new type: PostgreSQL treats both like no USING at all.
func trivialUsing(expr *pg_query.Node, column string, to *pg_query.TypeName) bool {
	if tc := expr.GetTypeCast(); tc != nil {
		if tc.TypeName == nil || to == nil || parseTypeName(tc.TypeName) != parseTypeName(to) {
			return false
		}
		expr = tc.Arg
	}
	ref := expr.GetColumnRef()
	if ref == nil || len(ref.Fields) != 1 {
		return false
	}
	s := ref.Fields[0].GetString_()
	return s != nil && s.Sval == column
}

// sameCollation compares the live column's collation (empty when it is the
// type's default) with the COLLATE clause of the new definition (nil keeps
// the default).
func sameCollation(live string, clause *pg_query.CollateClause) bool {
	want := ""
	if clause != nil && len(clause.Collname) > 0 {
		if s := clause.Collname[len(clause.Collname)-1].GetString_(); s != nil {
			want = s.Sval
		}
	}
	if i := strings.LastIndexByte(live, '.'); i >= 0 {
		live = live[i+1:]
	}
	live = strings.Trim(live, `"`)
	if want == "default" {
		want = ""
	}
	return live == want
}

// renderTypeChange spells the change as the catalogue does:
// "ALTER COLUMN public.events.tenant_id TYPE bigint USING tenant_id::bigint".
// The type and USING clause come from PostgreSQL's deparser, so the text is
// canonical whatever the source spelling.
func (c *classifier) renderTypeChange(table model.QName, node *pg_query.Node) string {
	cmd := node.GetAlterTableCmd()
	col := table.String() + "." + model.QuoteIdent(cmd.Name)
	const placeholder = "pgflux_column"
	name := cmd.Name
	cmd.Name = placeholder
	defer func() { cmd.Name = name }()
	tree := &pg_query.ParseResult{Version: c.version, Stmts: []*pg_query.RawStmt{{Stmt: &pg_query.Node{Node: &pg_query.Node_AlterTableStmt{
		AlterTableStmt: &pg_query.AlterTableStmt{
			Relation: &pg_query.RangeVar{Relname: "t", Inh: true, Relpersistence: "p"},
			Cmds:     []*pg_query.Node{node},
			Objtype:  pg_query.ObjectType_OBJECT_TABLE,
		},
	}}}}}
	out, err := pg_query.Deparse(tree)
	prefix := "ALTER TABLE t ALTER COLUMN " + placeholder + " "
	if err != nil || !strings.HasPrefix(out, prefix) {
		// The deparser handles every statement the parser accepts; keep a
		// readable fallback all the same.
		return "ALTER COLUMN " + col + " (" + strings.Join(strings.Fields(c.text), " ") + ")"
	}
	return "ALTER COLUMN " + col + " " + strings.TrimPrefix(out, prefix)
}

// rangeVarName is the schema-qualified name of a relation; unqualified
// names resolve to public.
func rangeVarName(rv *pg_query.RangeVar) model.QName {
	if rv == nil {
		return model.QName{}
	}
	schema := rv.Schemaname
	if schema == "" {
		schema = "public"
	}
	return model.QName{Schema: schema, Name: rv.Relname}
}

// listToQName reads the name list of a DROP TABLE/VIEW object.
func listToQName(n *pg_query.Node) (model.QName, bool) {
	l := n.GetList()
	if l == nil {
		return model.QName{}, false
	}
	return namesToQName(l.Items), true
}

// namesToQName turns a dotted name list (["public","mood"] or ["mood"]) into
// a QName, resolving unqualified names to public.
func namesToQName(names []*pg_query.Node) model.QName {
	var parts []string
	for _, n := range names {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	switch len(parts) {
	case 0:
		return model.QName{}
	case 1:
		return model.QName{Schema: "public", Name: parts[0]}
	}
	// Drop a database qualifier (db.schema.name).
	return model.QName{Schema: parts[len(parts)-2], Name: parts[len(parts)-1]}
}
