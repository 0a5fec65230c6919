package plan

import (
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Conversion is a column type change the plan makes with ALTER COLUMN …
// TYPE … USING: the caller checks that PostgreSQL can convert the values
// (a cast from From to To exists) unless the source stated how.
type Conversion struct {
	Table    model.QName
	Column   string
	From, To string
	Using    string
	// Stated is set when Using comes from the source (a "-- @using" hint).
	Stated bool
}

// conversion is the USING expression of a column's type change, recorded
// in the plan's conversions: the source's own when it states one, else a
// cast of the column (through text between enum types).
func (b *builder) conversion(table model.QName, l, d *model.Column) string {
	c := Conversion{Table: table, Column: d.Name, From: l.Type, To: d.Type}
	if expr, ok := b.opts.Using[model.ColumnRef{Table: table, Column: d.Name}]; ok {
		c.Using, c.Stated = expr, true
	} else {
		c.Using = b.usingExpr(l, d)
	}
	b.conversions = append(b.conversions, c)
	return c.Using
}

// QualifiedUsing resolves where "-- @using" hints point: a table written
// without a schema is the desired table of that name in the one managed
// schema that has it. Hints that match no desired column are returned
// apart, for the caller to report.
func QualifiedUsing(desired *model.Model, hints []UsingTarget) (map[model.ColumnRef]string, []UsingTarget) {
	out := map[model.ColumnRef]string{}
	var unmatched []UsingTarget
	for _, h := range hints {
		var found []model.QName
		for name, t := range desired.Tables {
			if name.Name == h.Table && (h.Schema == "" || name.Schema == h.Schema) && t.Column(h.Column) != nil {
				found = append(found, name)
			}
		}
		if len(found) != 1 {
			unmatched = append(unmatched, h)
			continue
		}
		out[model.ColumnRef{Table: found[0], Column: h.Column}] = h.Expr
	}
	return out, unmatched
}

// UsingTarget is a "-- @using" hint as the planner needs it.
type UsingTarget struct {
	Schema, Table, Column, Expr string
	Where                       string // file:line, for messages
}

// String names the conversion for messages.
func (c Conversion) String() string {
	return c.Table.String() + "." + model.QuoteIdent(c.Column) + ": " + c.From + " → " + strings.TrimSpace(c.To)
}
