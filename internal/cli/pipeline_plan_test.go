package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

// A plan that fails validation is shown with the error that asks for it to
// be reported; other errors are left as they are.
func TestWithPlanShowsFailingPlan(t *testing.T) {
	steps := report.Plan{Steps: []plan.Step{
		{SQL: "ALTER TABLE t\nADD COLUMN a int;", Summary: "add column t.a"},
		{SQL: "DROP INDEX i;", Summary: "drop index i"},
	}}
	err := withPlan(&shadow.PlanFailedError{Err: errors.New("boom")}, steps)
	for _, want := range []string{"boom", "Plan: 2 statements", "-- 1. add column t.a\nALTER TABLE t\nADD COLUMN a int;", "-- 2. drop index i\nDROP INDEX i;"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
	if err := withPlan(&shadow.NotConvergedError{}, steps); !strings.Contains(err.Error(), "DROP INDEX i;") {
		t.Errorf("not-converged error lacks the plan:\n%s", err)
	}
	plain := errors.New("connection refused")
	if err := withPlan(plain, steps); err != plain {
		t.Errorf("other errors must pass unchanged, got %v", err)
	}
}
