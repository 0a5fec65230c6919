package hazard

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Isolation says how a statement must run with respect to transactions,
// read from its parse tree so hand-written files get the same treatment as
// generated ones:
//   - NoTransaction for what PostgreSQL refuses inside a transaction block
//     (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM (not
//     ANALYZE),
//     CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM);
//   - OwnTransaction for what must commit before the next statement runs
//     (ALTER TYPE … ADD VALUE, so later statements may use the value;
//     VALIDATE CONSTRAINT, so its long scan holds no other locks);
//   - InTransaction otherwise, and for SQL that does not parse (running it
//     reports the syntax error).
func Isolation(stmt source.Statement) plan.Isolation {
	tree, err := pg_query.Parse(stmt.SQL)
	if err != nil {
		return plan.InTransaction
	}
	iso := plan.InTransaction
	for _, raw := range tree.Stmts {
		if i := nodeIsolation(raw.Stmt); i > iso {
			iso = i
		}
	}
	return iso
}

func nodeIsolation(n *pg_query.Node) plan.Isolation {
	switch {
	case n.GetIndexStmt() != nil && n.GetIndexStmt().Concurrent,
		n.GetDropStmt() != nil && n.GetDropStmt().Concurrent,
		n.GetVacuumStmt() != nil && n.GetVacuumStmt().IsVacuumcmd,
		n.GetCreatedbStmt() != nil,
		n.GetDropdbStmt() != nil,
		n.GetCreateTableSpaceStmt() != nil,
		n.GetDropTableSpaceStmt() != nil,
		n.GetAlterSystemStmt() != nil:
		return plan.NoTransaction
	case n.GetReindexStmt() != nil:
		for _, p := range n.GetReindexStmt().Params {
			if d := p.GetDefElem(); d != nil && d.Defname == "concurrently" {
				return plan.NoTransaction
			}
		}
	case n.GetAlterEnumStmt() != nil && n.GetAlterEnumStmt().NewVal != "" && n.GetAlterEnumStmt().OldVal == "":
		return plan.OwnTransaction
	case n.GetAlterTableStmt() != nil:
		for _, c := range n.GetAlterTableStmt().Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg_query.AlterTableType_AT_ValidateConstraint {
				return plan.OwnTransaction
			}
		}
	}
	return plan.InTransaction
}
