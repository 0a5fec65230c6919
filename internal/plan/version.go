package plan

import "github.com/pg-flux/pg-flux/internal/model"

// Planning by server version. Options.Major is the live server's major;
// 0 (unknown, as for dump and a copy of live) plans what every supported
// major accepts. Statements a major rejects are never planned for it.

// setExpressionMajor is the first major with ALTER COLUMN … SET EXPRESSION.
const setExpressionMajor = 17

// setsExpression reports whether a changed generation expression of a
// column is changed in place (PostgreSQL 17: ALTER COLUMN … SET EXPRESSION,
// one rewrite that keeps the column's indexes, views and grants) instead of
// the column being dropped and added again.
func (b *builder) setsExpression(l, d *model.Column) bool {
	return b.opts.Major >= setExpressionMajor &&
		l.Generated != "" && d.Generated != "" && l.Generated != d.Generated &&
		l.Type == d.Type && l.Collation == d.Collation
}

// setExpressionStep changes a generated column's expression in place.
func setExpressionStep(table model.QName, d *model.Column) Step {
	return alterColumn(table, d.Name, "SET EXPRESSION AS ("+d.Generated+")", "set expression")
}
