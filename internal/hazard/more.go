package hazard

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// liveTable reports whether table holds data that a change could touch: it
// is in the live model, or the live state is unknown.
func (c *classifier) liveTable(table model.QName) bool {
	return c.live == nil || c.live.Tables[table] != nil
}

// addColumn judges ADD COLUMN on an existing table: a value PostgreSQL must
// compute per row (volatile default, identity, serial, stored generated
// column) rewrites the table; NOT NULL without any default fails on a table
// with rows.
func (c *classifier) addColumn(table model.QName, def *pg_query.ColumnDef) {
	col := table.String() + "." + model.QuoteIdent(def.Colname)
	var dflt *pg_query.Node
	notNull, identity, generated := def.IsNotNull, def.Identity != "", def.Generated != ""
	for _, n := range def.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg_query.ConstrType_CONSTR_DEFAULT:
			dflt = con.RawExpr
		case pg_query.ConstrType_CONSTR_NOTNULL, pg_query.ConstrType_CONSTR_PRIMARY:
			notNull = true
		case pg_query.ConstrType_CONSTR_IDENTITY:
			identity = true
		case pg_query.ConstrType_CONSTR_GENERATED:
			generated = true
		}
	}
	serial := false
	if tn := def.TypeName; tn != nil && len(tn.Names) > 0 {
		if s := tn.Names[len(tn.Names)-1].GetString_(); s != nil {
			switch s.Sval {
			case "serial", "bigserial", "smallserial", "serial2", "serial4", "serial8":
				serial = true
			}
		}
	}
	const lock = "rewrites the table under ACCESS EXCLUSIVE lock"
	switch {
	case identity:
		c.add(TableRewrite, "Adds identity column %s: %s", col, lock)
	case serial:
		c.add(TableRewrite, "Adds serial column %s: %s", col, lock)
	case generated:
		c.add(TableRewrite, "Adds stored generated column %s: %s", col, lock)
	case dflt != nil:
		if fn := c.volatileCall(dflt); fn != "" {
			c.add(TableRewrite, "Adds column %s with volatile default %s(): %s", col, fn, lock)
		}
	case notNull && c.hasRows(table):
		c.add(NotNullWithoutDefault, "Adds NOT NULL column %s without a default to a table with rows: add it nullable, backfill it, then SET NOT NULL", col)
	}
}

// hasRows reports whether a live table may hold rows, by its planner
// estimates; unknown (no live context) counts as yes.
func (c *classifier) hasRows(table model.QName) bool {
	if c.live == nil {
		return true
	}
	st, ok := c.live.Stats[table]
	return ok && (st.RelTuples > 0 || st.RelPages > 0)
}

// volatileCall returns the name of the first function in expr that is
// volatile in the live database (or unknown there), "" when there is none.
func (c *classifier) volatileCall(expr *pg_query.Node) string {
	found := ""
	walk(expr, func(m proto.Message) {
		fc, ok := m.(*pg_query.FuncCall)
		if !ok || found != "" {
			return
		}
		name := funcName(fc.Funcname)
		if v, ok := c.opts.Volatility[name]; !ok || v == 'v' {
			found = name
		}
	})
	return found
}

// funcName spells a function name list as written: "now", "app.next_code".
func funcName(names []*pg_query.Node) string {
	var parts []string
	for _, n := range names {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	return strings.Join(parts, ".")
}

// walk calls fn on every message in the tree under n.
func walk(n proto.Message, fn func(proto.Message)) {
	if n == nil {
		return
	}
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		if !m.IsValid() {
			return
		}
		fn(m.Interface())
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					visit(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				visit(v.Message())
			}
			return true
		})
	}
	visit(n.ProtoReflect())
}

// notNullTest returns the column of a "col IS NOT NULL" expression, else "".
func notNullTest(expr *pg_query.Node) string {
	nt := expr.GetNullTest()
	if nt == nil || nt.Nulltesttype != pg_query.NullTestType_IS_NOT_NULL {
		return ""
	}
	ref := nt.Arg.GetColumnRef()
	if ref == nil || len(ref.Fields) != 1 {
		return ""
	}
	if s := ref.Fields[0].GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// rename reports renames clients can see. Renaming a type out of the way
// of its replacement created later in the list is how an enum is
// recreated; it is tracked so the replacement can be compared with the live
// type.
func (c *classifier) rename(s *pg_query.RenameStmt) {
	const breaks = "clients still using the old name will fail"
	switch s.RenameType {
	case pg_query.ObjectType_OBJECT_TYPE, pg_query.ObjectType_OBJECT_DOMAIN:
		var old model.QName
		if l := s.Object.GetList(); l != nil {
			old = namesToQName(l.Items)
		} else if tn := s.Object.GetTypeName(); tn != nil {
			old = namesToQName(tn.Names)
		} else {
			return
		}
		to := model.QName{Schema: old.Schema, Name: s.Newname}
		origin, ok := c.renamedTypes[old]
		if ok {
			delete(c.renamedTypes, old)
		} else if !c.created[model.ID(model.KindEnum, old)] {
			origin, ok = old, true
		}
		if ok {
			c.renamedTypes[to] = origin
			c.renamedAway[old] = true
			if !c.laterTypes[old] {
				c.add(Rename, "Renames type %s to %s: %s", old, to, breaks)
			}
		}
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW:
		q := rangeVarName(s.Relation)
		if c.created[model.ID(model.KindTable, q)] || c.created[model.ID(model.KindView, q)] || c.created[model.ID("materialized view", q)] {
			return
		}
		kind := strings.ToLower(strings.TrimPrefix(s.RenameType.String(), "OBJECT_"))
		if kind == "matview" {
			kind = "materialized view"
		}
		c.add(Rename, "Renames %s %s to %s: %s", kind, q, model.QuoteIdent(s.Newname), breaks)
	case pg_query.ObjectType_OBJECT_COLUMN:
		q := rangeVarName(s.Relation)
		id := model.ObjectID{Kind: model.KindColumn, Schema: q.Schema, Name: q.Name, Sub: s.Subname}
		if c.created[model.ID(model.KindTable, q)] || c.created[model.ID(model.KindView, q)] || c.addedCols[id] {
			return
		}
		c.add(Rename, "Renames column %s.%s to %s: %s", q, model.QuoteIdent(s.Subname), model.QuoteIdent(s.Newname), breaks)
	case pg_query.ObjectType_OBJECT_SCHEMA:
		c.add(Rename, "Renames schema %s to %s: %s", model.QuoteIdent(s.Subname), model.QuoteIdent(s.Newname), breaks)
	}
}

// createIndex reports CREATE INDEX without CONCURRENTLY on a table that
// holds data: the build blocks every write to the table.
func (c *classifier) createIndex(s *pg_query.IndexStmt) {
	if s.Concurrent || s.Relation == nil {
		return
	}
	table := rangeVarName(s.Relation)
	if c.created[model.ID(model.KindTable, table)] || !c.liveTable(table) || !s.Relation.Inh {
		// ON ONLY (Inh false) builds nothing on a partitioned parent.
		return
	}
	name := "on " + table.String()
	if s.Idxname != "" {
		name = model.QName{Schema: table.Schema, Name: s.Idxname}.String()
	}
	c.add(NonConcurrentIndex, "Creates index %s without CONCURRENTLY: blocks writes to %s while it builds", name, table)
}

// privileges reports GRANT and REVOKE.
func (c *classifier) privileges(n *pg_query.Node) {
	switch {
	case n.GetGrantStmt() != nil:
		s := n.GetGrantStmt()
		if c.allCreated(s.Objects) {
			return // privileges of a new object: nobody had access to lose or gain
		}
		verb := "Revokes"
		if s.IsGrant {
			verb = "Grants"
		}
		what := strings.ToLower(strings.TrimPrefix(s.Objtype.String(), "OBJECT_"))
		c.add(PrivilegeChange, "%s privileges on %s(s): changes what roles may do", verb, what)
	case n.GetGrantRoleStmt() != nil:
		verb := "Revokes"
		if n.GetGrantRoleStmt().IsGrant {
			verb = "Grants"
		}
		c.add(PrivilegeChange, "%s role membership: changes what roles may do", verb)
	default:
		c.add(PrivilegeChange, "Alters default privileges: changes what roles may do with future objects")
	}
}

// allCreated reports whether every object of a GRANT/REVOKE is a table,
// view or sequence created earlier in the list.
func (c *classifier) allCreated(objs []*pg_query.Node) bool {
	if len(objs) == 0 {
		return false
	}
	for _, o := range objs {
		rv := o.GetRangeVar()
		if rv == nil {
			return false
		}
		q := rangeVarName(rv)
		if !c.created[model.ID(model.KindTable, q)] && !c.created[model.ID(model.KindView, q)] &&
			!c.created[model.ID(model.KindSequence, q)] && !c.created[model.ID("materialized view", q)] {
			return false
		}
	}
	return true
}

// indexed reports whether a live index or key constraint of table uses
// column.
func (c *classifier) indexed(table model.QName, column string) bool {
	if c.live == nil {
		return true
	}
	uses := func(sql string) bool {
		tree, err := pg_query.Parse(sql)
		if err != nil {
			return true // unknown: assume the worst
		}
		found := false
		walk(tree, func(m proto.Message) {
			switch v := m.(type) {
			case *pg_query.IndexElem:
				found = found || v.Name == column
			case *pg_query.ColumnRef:
				if len(v.Fields) > 0 {
					if s := v.Fields[len(v.Fields)-1].GetString_(); s != nil && s.Sval == column {
						found = true
					}
				}
			case *pg_query.Constraint:
				for _, k := range append(append([]*pg_query.Node{}, v.Keys...), v.Including...) {
					if s := k.GetString_(); s != nil && s.Sval == column {
						found = true
					}
				}
			}
		})
		return found
	}
	for _, ix := range c.live.Indexes {
		if ix.Table == table && uses(ix.Definition) {
			return true
		}
	}
	if t := c.live.Tables[table]; t != nil {
		for _, con := range t.Constraints {
			switch con.Type {
			case model.PrimaryKey, model.Unique, model.Exclusion:
				if uses(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, model.QuoteIdent(con.Name), con.Definition)) {
					return true
				}
			}
		}
	}
	return false
}

// FormatRows spells a row estimate as the catalogue does: 950, 12k, 1.5M,
// 50M.
func FormatRows(n float64) string {
	units := []struct {
		div    float64
		suffix string
	}{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	for _, u := range units {
		if n >= u.div {
			v := n / u.div
			if v < 10 && math.Round(v*10)/10 != math.Round(v) {
				return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64) + u.suffix
			}
			return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(math.Max(0, math.Round(n)), 'f', 0, 64)
}

// LookupVolatility reads pg_proc.provolatile, from the database conn is
// connected to, for every function called in a column default added by
// stmts: what ClassifyWith needs to tell a volatile default (the table is
// rewritten) from a stable one like now(). Unqualified names resolve on the
// session's search path; overloads give the most volatile answer.
func LookupVolatility(ctx context.Context, conn *pgx.Conn, stmts []source.Statement) (map[string]byte, error) {
	names := map[string]bool{}
	for _, st := range stmts {
		tree, err := pg_query.Parse(st.SQL)
		if err != nil {
			continue // Classify reports it
		}
		walk(tree, func(m proto.Message) {
			cmd, ok := m.(*pg_query.AlterTableCmd)
			if !ok || cmd.Subtype != pg_query.AlterTableType_AT_AddColumn {
				return
			}
			walk(cmd, func(m proto.Message) {
				if fc, ok := m.(*pg_query.FuncCall); ok {
					names[funcName(fc.Funcname)] = true
				}
			})
		})
	}
	out := map[string]byte{}
	for name := range names {
		schema, fn, qualified := strings.Cut(name, ".")
		var v *string
		var err error
		if qualified {
			err = conn.QueryRow(ctx, `SELECT max(p.provolatile::text) FROM pg_proc p
				JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`, schema, fn).Scan(&v)
		} else {
			err = conn.QueryRow(ctx, `SELECT max(p.provolatile::text) FROM pg_proc p
				WHERE p.proname = $1 AND p.pronamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY (current_schemas(true)))`, name).Scan(&v)
		}
		if err != nil {
			return nil, fmt.Errorf("read volatility of %s: %w", name, err)
		}
		if v != nil && *v != "" {
			out[name] = (*v)[0]
		}
	}
	return out, nil
}

// MissingRoles returns, sorted, the roles stmts name (as grantees, owners,
// policy roles, …) that do not exist on the database conn is connected to.
// Roles are the cluster's, not the schema's: pg-flux never creates them on
// the target, and the shadow creates them for itself, so the plan's proof
// cannot tell that they are missing; the statements would fail there.
func MissingRoles(ctx context.Context, conn *pgx.Conn, stmts []source.Statement) ([]string, error) {
	named := map[string]bool{}
	for _, st := range stmts {
		tree, err := pg_query.Parse(st.SQL)
		if err != nil {
			continue // Classify reports it
		}
		walk(tree, func(m proto.Message) {
			if r, ok := m.(*pg_query.RoleSpec); ok && r.Roletype == pg_query.RoleSpecType_ROLESPEC_CSTRING {
				named[r.Rolename] = true
			}
		})
	}
	if len(named) == 0 {
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT r FROM unnest($1::text[]) r
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) ORDER BY r`, slices.Collect(maps.Keys(named)))
	if err != nil {
		return nil, fmt.Errorf("look up the roles the plan names: %w", err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("look up the roles the plan names: %w", err)
	}
	return missing, nil
}
