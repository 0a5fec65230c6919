package hazard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// repartitionSchema is the scratch schema a table is moved into while it is
// recreated with a new partition layout (plan.RepartitionSchema; hazard does
// not import plan).
const repartitionSchema = "pgflux_repartition"

// repartitionState follows a recreate: the table moved aside, its rows
// copied into the new table, the old one dropped.
type repartitionState struct {
	aside  map[model.QName]model.QName // name in the scratch schema → live name
	copied map[model.QName]bool        // scratch names whose rows were copied
}

// moveAside judges ALTER TABLE … SET SCHEMA into the scratch schema: the
// first step of a recreate. The copy holds ACCESS EXCLUSIVE on the table
// for as long as it takes, so it is a TABLE_REWRITE with the row estimate
// (the table's and its partitions').
func (c *classifier) moveAside(s *pg_query.AlterObjectSchemaStmt) {
	if s.ObjectType != pg_query.ObjectType_OBJECT_TABLE || s.Relation == nil || s.Newschema != repartitionSchema {
		return
	}
	q := rangeVarName(s.Relation)
	if c.rp.aside == nil {
		c.rp.aside, c.rp.copied = map[model.QName]model.QName{}, map[model.QName]bool{}
	}
	c.rp.aside[model.QName{Schema: repartitionSchema, Name: q.Name}] = q
	if c.live != nil {
		if t := c.live.Tables[q]; t != nil && t.PartitionOf != nil {
			return // counted with its parent
		}
	}
	c.add(TableRewrite, "Recreates table %s with a new partition layout%s: copies every row under ACCESS EXCLUSIVE lock", q, c.treeRows(q))
}

// treeRows is " (N rows)" for a live table and its partitions (the leaves), from
// pg_class.reltuples; "" when unknown.
func (c *classifier) treeRows(root model.QName) string {
	if c.live == nil {
		return ""
	}
	total, known := 0.0, false
	for _, t := range c.live.Tables {
		in := false
		for cur := t; cur != nil; {
			if cur.Name == root {
				in = true
				break
			}
			if cur.PartitionOf == nil {
				break
			}
			cur = c.live.Tables[*cur.PartitionOf]
		}
		if !in || t.PartitionBy != "" {
			continue // rows live in the leaves; a parent's estimate counts them again
		}
		if st, ok := c.live.Stats[t.Name]; ok && st.RelTuples >= 0 {
			total += st.RelTuples
			known = true
		}
	}
	if !known {
		return " (row count unknown: never analyzed)"
	}
	return " (" + FormatRows(total) + " rows)"
}

// copyRows judges INSERT INTO new SELECT … FROM the moved-aside table: a
// live column left out of the copy is lost.
func (c *classifier) copyRows(s *pg_query.InsertStmt) {
	sel := s.SelectStmt.GetSelectStmt()
	if sel == nil || len(sel.FromClause) != 1 || s.Relation == nil {
		return
	}
	rv := sel.FromClause[0].GetRangeVar()
	if rv == nil {
		return
	}
	from := rangeVarName(rv)
	orig, ok := c.rp.aside[from]
	if !ok {
		return
	}
	c.rp.copied[from] = true
	if c.live == nil || c.live.Tables[orig] == nil {
		return
	}
	copied := map[string]bool{}
	for _, n := range s.Cols {
		if rt := n.GetResTarget(); rt != nil {
			copied[rt.Name] = true
		}
	}
	var lost []string
	for _, col := range c.live.Tables[orig].Columns {
		if !copied[col.Name] && col.Generated == "" {
			lost = append(lost, orig.String()+"."+model.QuoteIdent(col.Name))
		}
	}
	if len(lost) > 0 {
		c.add(DataLoss, "Drops column %s: not copied when table %s is recreated", strings.Join(lost, ", "), orig)
	}
}

// droppedAside reports whether a dropped table is a moved-aside table whose
// rows were copied (no data lost), and the live name of a moved one.
func (c *classifier) droppedAside(q model.QName) (model.QName, bool) {
	orig, ok := c.rp.aside[q]
	if !ok {
		return q, false
	}
	return orig, c.rp.copied[q]
}
