// Package hazard is the catalogue of migration hazards and the classifier
// that finds them in SQL statements. The classifier reads PostgreSQL's own
// parse tree (pg_query) plus facts about the live database, so generated and
// hand-written migrations are judged by the same rules: `migrate generate`
// writes the findings into the file header and `migrate apply` recomputes
// them on the file as it is at apply time.
package hazard

import (
	"fmt"
	"strings"
)

// Kind names a hazard, as users write it in --allow-hazards.
type Kind string

// The hazard kinds of the catalogue (docs/hazards.md). DATA_LOSS,
// COLUMN_TYPE_CHANGE, CONSTRAINT_SCAN, MASS_DROP, TABLE_REWRITE,
// NOT_NULL_WITHOUT_DEFAULT and NON_CONCURRENT_INDEX block an apply unless
// allowed; the rest are advisory.
const (
	DataLoss               Kind = "DATA_LOSS"
	ColumnTypeChange       Kind = "COLUMN_TYPE_CHANGE"
	ConstraintScan         Kind = "CONSTRAINT_SCAN"
	MassDrop               Kind = "MASS_DROP"
	TableRewrite           Kind = "TABLE_REWRITE"
	NotNullWithoutDefault  Kind = "NOT_NULL_WITHOUT_DEFAULT"
	NonConcurrentIndex     Kind = "NON_CONCURRENT_INDEX"
	RLSGap                 Kind = "RLS_GAP"
	StagedSetNotNull       Kind = "STAGED_SET_NOT_NULL"
	ValidateConstraintScan Kind = "VALIDATE_CONSTRAINT_SCAN"
	Rename                 Kind = "RENAME"
	PrivilegeChange        Kind = "PRIVILEGE_CHANGE"
	StaleValues            Kind = "STALE_VALUES"
)

// Kinds lists every kind, blocking ones first, in catalogue order.
var Kinds = []Kind{
	DataLoss, ColumnTypeChange, ConstraintScan, MassDrop, TableRewrite, NotNullWithoutDefault, NonConcurrentIndex,
	RLSGap, StagedSetNotNull, ValidateConstraintScan, Rename, PrivilegeChange, StaleValues,
}

// Blocking reports whether the kind stops an apply unless it is allowed.
func (k Kind) Blocking() bool {
	switch k {
	case DataLoss, ColumnTypeChange, ConstraintScan, MassDrop, TableRewrite, NotNullWithoutDefault, NonConcurrentIndex:
		return true
	}
	return false
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// ParseKinds parses a comma-separated list such as
// "DATA_LOSS,COLUMN_TYPE_CHANGE" (as given to --allow-hazards). Case and
// surrounding spaces are forgiven; an unknown name is an error that lists the
// valid ones. An empty string gives no kinds.
func ParseKinds(s string) ([]Kind, error) {
	var out []Kind
	seen := map[Kind]bool{}
	for _, part := range strings.Split(s, ",") {
		name := strings.ToUpper(strings.TrimSpace(part))
		if name == "" {
			continue
		}
		k := Kind(name)
		if !k.Valid() {
			return nil, fmt.Errorf("unknown hazard kind %q (valid kinds: %s)", strings.TrimSpace(part), JoinKinds(Kinds))
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// JoinKinds joins kinds with commas, the form --allow-hazards takes.
func JoinKinds(kinds []Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

// Finding is one hazard found in a list of statements.
type Finding struct {
	Kind    Kind
	Message string
	// Statement is the index of the statement, in the list given to
	// Classify, that carries the hazard.
	Statement int
}

// Label is the word that introduces the kind in messages: "HAZARD" or
// "ADVISORY". RLS_GAP is labelled HAZARD although it does not block: the
// catalogue prints it that way to draw the eye to the unprotected window.
func (k Kind) Label() string {
	if k.Blocking() || k == RLSGap {
		return "HAZARD"
	}
	return "ADVISORY"
}

// String renders the finding as the spec prints it:
// "[HAZARD DATA_LOSS] Drops column public.users.legacy_phone" or
// "[ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock".
func (f Finding) String() string {
	return fmt.Sprintf("[%s %s] %s", f.Kind.Label(), f.Kind, f.Message)
}
