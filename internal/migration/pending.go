package migration

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/plan"
)

// PendingFile is a migration file not completely applied: all of it, or,
// for an interrupted apply, the steps from Start on.
type PendingFile struct {
	*File
	Start int
}

// Remaining returns the steps still to run, as a resumed apply runs them
// in its new session: for a partly applied file, the session settings of
// the committed steps (SessionSettings), then the steps from Start on.
func (p PendingFile) Remaining() []plan.Step {
	var out []plan.Step
	for _, i := range SessionSettings(p.Statements, p.Start) {
		out = append(out, p.Steps[i])
	}
	return append(out, p.Steps[p.Start:]...)
}

// Pending returns the files of dir that are not in the ledger or only
// partly applied, in name order. It writes nothing.
func Pending(ctx context.Context, conn *pgx.Conn, dir, tracking string) ([]PendingFile, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ledger, err := readLedger(ctx, conn, tracking)
	if err != nil {
		return nil, err
	}
	var out []PendingFile
	for _, f := range files {
		switch r := ledger[f.Name]; {
		case r == nil:
			out = append(out, PendingFile{File: f})
		case r.Status == statusPartial:
			out = append(out, PendingFile{File: f, Start: min(r.StepsDone, len(f.Steps))})
		}
	}
	return out, nil
}
