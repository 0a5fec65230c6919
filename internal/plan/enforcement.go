package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// Foreign-key enforcement (PostgreSQL 18).

// alterEnforcementMajor is the first major with ALTER CONSTRAINT …
// [NOT] ENFORCED, which PostgreSQL accepts for foreign keys only (a CHECK's
// enforcement change is refused, so it is dropped and added again).
const alterEnforcementMajor = 18

// notEnforced is how pg_get_constraintdef ends a NOT ENFORCED constraint.
const notEnforced = " NOT ENFORCED"

// enforcementOnly reports whether two versions of a constraint differ only
// in being enforced.
func enforcementOnly(l, d *model.Constraint) bool {
	ld, dd := diff.ConstraintDefinition(l.Definition), diff.ConstraintDefinition(d.Definition)
	if l.Type != d.Type || ld == dd {
		return false
	}
	return strings.TrimSuffix(ld, notEnforced) == strings.TrimSuffix(dd, notEnforced)
}

// altersEnforcement reports whether a foreign key whose enforcement alone
// changes is altered in place instead of dropped and added again.
//
// Checked on 18.4: ALTER CONSTRAINT … NOT ENFORCED drops the key's
// triggers under a brief ACCESS EXCLUSIVE lock on both tables and reads no
// row. ALTER CONSTRAINT … ENFORCED validates the key (an orphan row makes
// it fail) while holding ACCESS EXCLUSIVE on the referencing table for the
// whole scan, so it is planned only where the NOT VALID + VALIDATE rewrite
// is off or impossible (a partitioned table); otherwise the key is dropped
// and added NOT VALID, and VALIDATE scans under SHARE UPDATE EXCLUSIVE,
// which does not block writes (the key enforced nothing in between).
func (b *builder) altersEnforcement(table model.QName, l, d *model.Constraint) bool {
	if b.opts.Major < alterEnforcementMajor || l.Type != model.ForeignKey || !enforcementOnly(l, d) {
		return false
	}
	if isEnforced(d) && (!d.Validated || b.opts.AutoNotValid && b.desired.Tables[table].PartitionBy == "") {
		// ENFORCED always validates: a key wanted NOT VALID is added so.
		return false
	}
	return true
}

func isEnforced(c *model.Constraint) bool {
	return !strings.HasSuffix(diff.ConstraintDefinition(c.Definition), notEnforced)
}

// alterEnforcement makes a foreign key enforced or not enforced in place.
func alterEnforcement(table model.QName, c *model.Constraint) Step {
	what := "NOT ENFORCED"
	if isEnforced(c) {
		what = "ENFORCED"
	}
	return step(fmt.Sprintf("ALTER TABLE %s ALTER CONSTRAINT %s %s", table, model.QuoteIdent(c.Name), what),
		"alter "+constraintID(table, c.Name).String()+" "+what, constraintID(table, c.Name))
}
