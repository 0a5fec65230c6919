// Package plan turns the differences between the live and the desired model
// into ordered, executable steps.
package plan

import "github.com/pg-flux/pg-flux/internal/model"

// Plan is the ordered list of steps that takes live to desired.
type Plan struct {
	Steps []Step
	// Conversions are the column type changes among the steps.
	Conversions []Conversion
	// RowChecks are the conditions live's rows must meet for the plan's
	// partition changes to run (rowcheck.go).
	RowChecks []RowCheck
}

// Step is one SQL statement of a plan.
type Step struct {
	// SQL is one complete statement, ending in ";".
	SQL string
	// Summary says what the step does, for plan output: "create table public.users".
	Summary string
	// Object is the object the step changes.
	Object model.ObjectID
	// Owner, when set, is the object the step belongs to if that is not
	// Object itself or the table Object names (a grant or comment on an
	// object that lives in another object's source file). dump groups
	// steps by it.
	Owner model.ObjectID
	// Isolation says how the step must be run with respect to transactions.
	Isolation Isolation
	// Rewrite names the safety rewrite that produced the step (see
	// Rewrite), "" for a step as the differ planned it. The summary ends in
	// "[rewrite: <name>]" so the rewrite shows in plan output and in
	// migration files.
	Rewrite string
}

// Isolation is how a step relates to the transaction around it.
type Isolation int

const (
	// InTransaction steps run together with their transactional neighbours.
	InTransaction Isolation = iota
	// OwnTransaction steps run in a transaction of their own that commits
	// before the next step (ALTER TYPE … ADD VALUE, VALIDATE CONSTRAINT).
	OwnTransaction
	// NoTransaction steps cannot run inside a transaction block (CREATE
	// INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY).
	NoTransaction
)

// GroupEnd is the end (exclusive) of the transaction that steps[start]
// begins: the run of InTransaction steps from it, or that step alone.
func GroupEnd(steps []Step, start int) int {
	end := start + 1
	if steps[start].Isolation == InTransaction {
		for end < len(steps) && steps[end].Isolation == InTransaction {
			end++
		}
	}
	return end
}
