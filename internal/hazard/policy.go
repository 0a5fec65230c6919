package hazard

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// msgRLSGap is the catalogue's RLS_GAP message (spec/hazards.txt).
const msgRLSGap = "Brief window between DROP POLICY and CREATE POLICY where the table is unprotected"

// policyState remembers the tables whose policies were dropped earlier in
// the list, and those already reported.
type policyState struct {
	dropped  map[model.QName]bool
	reported map[model.QName]bool
}

// policyGap reports RLS_GAP when a CREATE POLICY follows a DROP POLICY on
// the same table in one statement list, once per table.
func (c *classifier) policyGap(n *pg_query.Node) {
	p := &c.policies
	if p.dropped == nil {
		p.dropped, p.reported = map[model.QName]bool{}, map[model.QName]bool{}
	}
	if s := n.GetDropStmt(); s != nil && s.RemoveType == pg_query.ObjectType_OBJECT_POLICY {
		for _, obj := range s.Objects {
			l := obj.GetList()
			if l == nil || len(l.Items) < 2 {
				continue
			}
			// The list is [schema,] table, policy.
			p.dropped[namesToQName(l.Items[:len(l.Items)-1])] = true
		}
		return
	}
	if s := n.GetCreatePolicyStmt(); s != nil {
		t := rangeVarName(s.Table)
		if p.dropped[t] && !p.reported[t] {
			p.reported[t] = true
			c.add(RLSGap, "%s", msgRLSGap)
		}
	}
}
