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
//
// A virtual column's expression is changed in place without a rewrite
// (PostgreSQL 18), but not in a table with CHECK constraints, which
// PostgreSQL 18 refuses: there the column is dropped and added again.
func (b *builder) setsExpression(table model.QName, l, d *model.Column) bool {
	if l.Virtual && b.hasCheck(table) {
		return false
	}
	return b.opts.Major >= setExpressionMajor &&
		l.Generated != "" && d.Generated != "" && l.Generated != d.Generated &&
		l.Type == d.Type && l.Collation == d.Collation && l.Virtual == d.Virtual
}

// recreatesVirtual reports a change PostgreSQL 18 cannot make to a column
// in place: from stored to virtual or back, and a virtual column made a
// plain one (DROP EXPRESSION is refused for virtual columns). The column
// is dropped and added again.
func recreatesVirtual(l, d *model.Column) bool {
	return (l.Virtual || d.Virtual) && (l.Virtual != d.Virtual || d.Generated == "")
}

// setExpressionStep changes a generated column's expression in place.
func setExpressionStep(table model.QName, d *model.Column) Step {
	return alterColumn(table, d.Name, "SET EXPRESSION AS ("+d.Generated+")", "set expression")
}
