package hazard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// alterDomain classifies ALTER DOMAIN: a CHECK constraint added without NOT
// VALID, or SET NOT NULL, makes PostgreSQL check every stored value of the
// domain, reading each table with a column of it under a lock that blocks
// writes, as ADD CONSTRAINT on the table itself would.
func (c *classifier) alterDomain(s *pg_query.AlterDomainStmt) {
	q := namesToQName(s.TypeName)
	if c.created[model.ID("domain", q)] {
		return
	}
	switch s.Subtype {
	case "C": // ADD CONSTRAINT
		con := s.Def.GetConstraint()
		if con == nil || con.SkipValidation || con.Contype != pg_query.ConstrType_CONSTR_CHECK {
			return
		}
	case "O": // SET NOT NULL
	default:
		return
	}
	if c.live == nil {
		c.add(ConstraintScan, "Adding constraint to domain %s scans every table with a column of that type", q)
		return
	}
	cols := c.columnsOfType(q)
	if len(cols) == 0 {
		return // no stored value to check
	}
	c.add(ConstraintScan, "Adding constraint to domain %s scans the tables of column(s) %s", q, strings.Join(cols, ", "))
}
