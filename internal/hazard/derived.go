package hazard

import (
	"slices"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// A function replaced in place (CREATE OR REPLACE) keeps its OID, and what
// PostgreSQL stored with its old body stays: the entries of expression and
// partial indexes, stored generated columns, materialized views' rows.
// PostgreSQL recomputes none of them, and an IMMUTABLE function promises
// results that never change, so nothing would tell the user to.

// derivedState follows the live IMMUTABLE functions replaced in the list
// and what later statements rebuild.
type derivedState struct {
	replaced []replacedFunction
	// rebuilt holds, for each object a statement rebuilds or recomputes,
	// the index of the last such statement; dropped the objects the list
	// drops (gone, or made again: their values are new either way).
	rebuilt map[model.ObjectID]int
	dropped map[model.ObjectID]bool
	// droppedFns are the functions dropped earlier in the list: a CREATE
	// OR REPLACE after it creates the function anew.
	droppedFns map[model.QName]bool
}

type replacedFunction struct {
	stmt int
	fn   *model.Function
}

// replaceFunction notes CREATE OR REPLACE FUNCTION of a live IMMUTABLE
// function.
func (c *classifier) replaceFunction(s *pg_query.CreateFunctionStmt) {
	if !s.Replace || c.live == nil {
		return
	}
	name := namesToQName(s.Funcname)
	if c.derived.droppedFns[name] {
		return
	}
	fn := c.liveFunction(name, inputArgs(s))
	if fn == nil || !immutable(fn.Definition) {
		return
	}
	c.derived.replaced = append(c.derived.replaced, replacedFunction{stmt: c.stmt, fn: fn})
}

// liveFunction is the live function of that name taking n input
// arguments; nil when there is none or more than one.
func (c *classifier) liveFunction(name model.QName, n int) *model.Function {
	var found *model.Function
	for _, f := range c.live.Functions {
		if f.Name != name || f.Kind != model.RoutineFunction || len(model.SplitTopLevel(f.Args)) != n {
			continue
		}
		if found != nil {
			return nil
		}
		found = f
	}
	return found
}

// inputArgs counts the arguments that identify a function (not OUT or
// TABLE columns).
func inputArgs(s *pg_query.CreateFunctionStmt) int {
	n := 0
	for _, p := range s.Parameters {
		fp := p.GetFunctionParameter()
		if fp == nil || fp.Mode == pg_query.FunctionParameterMode_FUNC_PARAM_OUT || fp.Mode == pg_query.FunctionParameterMode_FUNC_PARAM_TABLE {
			continue
		}
		n++
	}
	return n
}

// immutable reports whether pg_get_functiondef's text declares the
// function IMMUTABLE, in the lines before its body.
func immutable(def string) bool {
	for _, line := range strings.Split(def, "\n") {
		if strings.HasPrefix(line, "AS ") || strings.HasPrefix(line, "BEGIN") {
			return false
		}
		for _, w := range strings.Fields(line) {
			if w == "IMMUTABLE" {
				return true
			}
		}
	}
	return false
}

// rebuilds records what a statement rebuilds, recomputes or drops among
// the objects a replaced function's old results may be stored in, and the
// functions it drops.
func (c *classifier) rebuilds(n *pg_query.Node) {
	d := &c.derived
	if d.rebuilt == nil {
		d.rebuilt, d.dropped, d.droppedFns = map[model.ObjectID]int{}, map[model.ObjectID]bool{}, map[model.QName]bool{}
	}
	mark := func(id model.ObjectID) { d.rebuilt[id] = c.stmt }
	switch {
	case n.GetIndexStmt() != nil:
		s := n.GetIndexStmt()
		if s.Relation != nil && s.Idxname != "" {
			mark(model.ObjectID{Kind: model.KindIndex, Schema: rangeVarName(s.Relation).Schema, Name: s.Idxname})
		}
	case n.GetReindexStmt() != nil:
		s := n.GetReindexStmt()
		if s.Relation == nil {
			return
		}
		q := rangeVarName(s.Relation)
		switch s.Kind {
		case pg_query.ReindexObjectType_REINDEX_OBJECT_INDEX:
			mark(model.ObjectID{Kind: model.KindIndex, Schema: q.Schema, Name: q.Name})
		case pg_query.ReindexObjectType_REINDEX_OBJECT_TABLE:
			if t := c.live.Tables[q]; t != nil {
				for _, ix := range c.live.Indexes {
					if ix.Table == q {
						mark(model.ObjectID{Kind: model.KindIndex, Schema: ix.Name.Schema, Name: ix.Name.Name})
					}
				}
			}
		}
	case n.GetRenameStmt() != nil:
		// A changed index is built as <name>_new and renamed (index_swap).
		if s := n.GetRenameStmt(); s.RenameType == pg_query.ObjectType_OBJECT_INDEX && s.Relation != nil {
			mark(model.ObjectID{Kind: model.KindIndex, Schema: rangeVarName(s.Relation).Schema, Name: s.Newname})
		}
	case n.GetRefreshMatViewStmt() != nil:
		mark(model.ID(model.KindMatView, rangeVarName(n.GetRefreshMatViewStmt().Relation)))
	case n.GetCreateTableAsStmt() != nil:
		if s := n.GetCreateTableAsStmt(); s.Into != nil && s.Into.Rel != nil {
			mark(model.ID(model.KindMatView, rangeVarName(s.Into.Rel)))
		}
	case n.GetDropStmt() != nil:
		s := n.GetDropStmt()
		switch s.RemoveType {
		case pg_query.ObjectType_OBJECT_FUNCTION, pg_query.ObjectType_OBJECT_PROCEDURE, pg_query.ObjectType_OBJECT_ROUTINE:
			for _, obj := range s.Objects {
				if fn := obj.GetObjectWithArgs(); fn != nil {
					d.droppedFns[namesToQName(fn.Objname)] = true
				}
			}
			return
		}
		kind := map[pg_query.ObjectType]model.Kind{
			pg_query.ObjectType_OBJECT_INDEX:   model.KindIndex,
			pg_query.ObjectType_OBJECT_MATVIEW: model.KindMatView,
			pg_query.ObjectType_OBJECT_TABLE:   model.KindTable,
		}[s.RemoveType]
		if kind == "" {
			return
		}
		for _, obj := range s.Objects {
			if q, ok := listToQName(obj); ok {
				d.dropped[model.ID(kind, q)] = true
			}
		}
	case n.GetAlterTableStmt() != nil:
		s := n.GetAlterTableStmt()
		table := rangeVarName(s.Relation)
		for _, cmd := range s.Cmds {
			at := cmd.GetAlterTableCmd()
			if at == nil {
				continue
			}
			switch at.Subtype {
			case pg_query.AlterTableType_AT_DropColumn:
				d.dropped[model.ObjectID{Kind: model.KindColumn, Schema: table.Schema, Name: table.Name, Sub: at.Name}] = true
			case pg_query.AlterTableType_AT_SetExpression, pg_query.AlterTableType_AT_DropExpression:
				mark(model.ObjectID{Kind: model.KindColumn, Schema: table.Schema, Name: table.Name, Sub: at.Name})
			}
		}
	}
}

// staleDerived reports, on each replacement of a live IMMUTABLE function,
// the live indexes, stored generated columns and materialized views that
// hold what its old body computed and that no later statement rebuilds.
func (c *classifier) staleDerived() {
	for _, r := range c.derived.replaced {
		id := r.fn.ID()
		var stale []string
		for obj, deps := range c.live.Deps {
			if !slices.Contains(deps, id) || c.rebuiltAfter(obj, r.stmt) {
				continue
			}
			switch obj.Kind {
			case model.KindIndex:
				q := model.QName{Schema: obj.Schema, Name: obj.Name}
				if ix := c.live.Indexes[q]; ix != nil && c.rebuiltAfter(model.ID(model.KindTable, ix.Table), r.stmt) {
					continue // its table is dropped
				}
				stale = append(stale, "index "+q.String())
			case model.KindMatView:
				stale = append(stale, "materialized view "+model.QName{Schema: obj.Schema, Name: obj.Name}.String())
			case model.KindColumn:
				t := c.live.Tables[model.QName{Schema: obj.Schema, Name: obj.Name}]
				if t == nil {
					continue
				}
				// A default is computed when a row is written; a virtual
				// column when it is read.
				if col := t.Column(obj.Sub); col != nil && col.Generated != "" && !col.Virtual && !c.rebuiltAfter(model.ID(model.KindTable, t.Name), r.stmt) {
					stale = append(stale, "generated column "+t.Name.String()+"."+model.QuoteIdent(obj.Sub))
				}
			}
		}
		if len(stale) == 0 {
			continue
		}
		sort.Strings(stale)
		c.findings = append(c.findings, Finding{Kind: StaleValues, Statement: r.stmt,
			Message: "Replaces IMMUTABLE function " + r.fn.Name.String() + "(" + r.fn.Args + ") in place: " + strings.Join(stale, ", ") +
				" keep what its old body computed, and PostgreSQL recomputes none of them; if its results change, rebuild them " +
				"(REINDEX INDEX CONCURRENTLY, an UPDATE of the rows, REFRESH MATERIALIZED VIEW)"})
	}
}

// rebuiltAfter reports whether a statement after stmt rebuilds obj, or
// the list drops it.
func (c *classifier) rebuiltAfter(obj model.ObjectID, stmt int) bool {
	i, ok := c.derived.rebuilt[obj]
	return ok && i > stmt || c.derived.dropped[obj]
}
