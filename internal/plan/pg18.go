package plan

import (
	"fmt"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Planning for PostgreSQL 18.

// notNullNotValidMajor is the first major with NOT NULL constraints that
// can be NOT VALID (ALTER TABLE … ADD CONSTRAINT c NOT NULL col NOT VALID).
const notNullNotValidMajor = 18

// setNotNull18 stages SET NOT NULL the PostgreSQL 18 way: a NOT NULL
// constraint added NOT VALID (no scan, a brief ACCESS EXCLUSIVE lock),
// then VALIDATE, which scans under SHARE UPDATE EXCLUSIVE only. The
// validated constraint is what a plain SET NOT NULL makes: the same
// pg_constraint row (convalidated, local, inheritable) and attnotnull,
// under PostgreSQL's own default name.
func (r *rewriter) setNotNull18(table model.QName, col string, st Step) []Step {
	name := r.notNullName(table, col)
	q := model.QuoteIdent(name)
	add := step(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s NOT NULL %s NOT VALID", table, q, model.QuoteIdent(col)),
		"add "+constraintID(table, name).String()+" NOT VALID", st.Object)
	return []Step{
		marked(add, RewriteStagedSetNotNull),
		marked(validateConstraint(table, name), RewriteStagedSetNotNull),
	}
}

// notNullName is the name PostgreSQL gives the NOT NULL constraint of a
// plain SET NOT NULL, <table>_<col>_not_null, when it fits in an
// identifier; else a name of checkName's kind.
func (r *rewriter) notNullName(table model.QName, col string) string {
	if n := table.Name + "_" + col + "_not_null"; len(n) <= 63 {
		return n
	}
	return r.checkName(table, col)
}

// hasCheck reports whether the live or the desired table has a CHECK
// constraint.
func (b *builder) hasCheck(table model.QName) bool {
	for _, m := range []*model.Model{b.live, b.desired} {
		if t := m.Tables[table]; t != nil {
			for _, c := range t.Constraints {
				if c.Type == model.Check {
					return true
				}
			}
		}
	}
	return false
}
