package hazard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// alterCompositeType judges ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE (parsed as
// an ALTER TABLE of object type TYPE). DROP ATTRIBUTE removes that field from
// every stored value of the type: DATA_LOSS when a live column holds the
// type, directly, as an array, or nested in another composite type or a
// domain that a column holds. Without a live model, usage is unknown and
// the drop is always reported.
func (c *classifier) alterCompositeType(s *pg_query.AlterTableStmt) {
	q := rangeVarName(s.Relation)
	liveName, renamed := c.renamedTypes[q]
	if !renamed {
		if c.created[model.ID(model.KindEnum, q)] {
			return // created earlier in the list: holds no data yet
		}
		liveName = q
	}
	for _, node := range s.Cmds {
		cmd := node.GetAlterTableCmd()
		if cmd == nil || cmd.Subtype != pg_query.AlterTableType_AT_DropColumn {
			continue
		}
		attr := q.String() + "." + model.QuoteIdent(cmd.Name)
		if c.live == nil {
			c.add(DataLoss, "Drops attribute %s", attr)
			continue
		}
		if users := c.columnsHolding(liveName); len(users) > 0 {
			c.add(DataLoss, "Drops attribute %s (used by %s)", attr, strings.Join(users, ", "))
		}
	}
}

// columnsHolding lists the live columns whose values contain a value of
// type q: columns of q or q[], and columns of a composite type or domain
// built on q, at any depth.
func (c *classifier) columnsHolding(q model.QName) []string {
	holders := c.live.TypesHolding(q.String())
	var out []string
	for _, t := range c.live.SortedTables() {
		if c.droppedTables[t.Name] || t.PartitionOf != nil {
			continue // partitions repeat their parent's columns
		}
		for _, col := range t.Columns {
			id := model.ObjectID{Kind: model.KindColumn, Schema: t.Name.Schema, Name: t.Name.Name, Sub: col.Name}
			if c.retyped[id] || c.droppedCols[id] {
				continue
			}
			if holders[model.BaseType(col.Type)] {
				out = append(out, t.Name.String()+"."+model.QuoteIdent(col.Name))
			}
		}
	}
	return out
}
