package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Plan is what the plan command shows: the steps, their hazards, and the
// hashes of the state they start from and produce.
type Plan struct {
	Steps    []plan.Step
	Findings []hazard.Finding
	Baseline string // sha256:… of live
	Result   string // sha256:… of the state after the steps
}

// NoChanges is printed by plan when live already matches source.
const NoChanges = "No changes: live matches source."

// PlanText writes the plan for people: hazards first, then the numbered
// steps, each "-- N. summary" followed by its SQL.
func PlanText(w io.Writer, p Plan) error {
	ew := &errWriter{w: w}
	if len(p.Steps) == 0 {
		ew.printf("%s\n", NoChanges)
		return ew.err
	}
	ew.printf("Plan: %s\n", CountNoun(len(p.Steps), "statement"))
	if len(p.Findings) > 0 {
		ew.printf("\nHazards:\n")
		for _, f := range p.Findings {
			ew.printf("  %s\n", f.String())
		}
	}
	for i, s := range p.Steps {
		note := ""
		switch s.Isolation {
		case plan.NoTransaction:
			note = " (runs outside a transaction)"
		case plan.OwnTransaction:
			note = " (runs in its own transaction)"
		}
		ew.printf("\n-- %d. %s%s\n%s\n", i+1, s.Summary, note, strings.TrimSpace(s.SQL))
	}
	return ew.err
}

// PlanSQL writes only the SQL of the steps, one statement per paragraph,
// ready to pipe into psql. Nothing is written for an empty plan.
func PlanSQL(w io.Writer, p Plan) error {
	ew := &errWriter{w: w}
	for i, s := range p.Steps {
		if i > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", strings.TrimSpace(s.SQL))
	}
	return ew.err
}

type planJSON struct {
	Statements []statementJSON `json:"statements"`
	Hazards    []hazardJSON    `json:"hazards"`
	Baseline   string          `json:"baseline"`
	Result     string          `json:"result"`
}

type statementJSON struct {
	SQL     string `json:"sql"`
	Summary string `json:"summary"`
	Object  string `json:"object"`
}

type hazardJSON struct {
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	Blocking bool   `json:"blocking"`
}

// PlanJSON writes the plan as JSON:
// {"statements":[{"sql","summary","object"}],"hazards":[{"kind","message","blocking"}],"baseline","result"}.
func PlanJSON(w io.Writer, p Plan) error {
	out := planJSON{Statements: []statementJSON{}, Hazards: []hazardJSON{}, Baseline: p.Baseline, Result: p.Result}
	for _, s := range p.Steps {
		out.Statements = append(out.Statements, statementJSON{SQL: strings.TrimSpace(s.SQL), Summary: s.Summary, Object: s.Object.String()})
	}
	for _, f := range p.Findings {
		out.Hazards = append(out.Hazards, hazardJSON{Kind: string(f.Kind), Message: f.Message, Blocking: f.Kind.Blocking()})
	}
	return writeJSON(w, out)
}

// CountNoun returns "1 statement" or "3 statements".
func CountNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
