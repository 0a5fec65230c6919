package migration

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// PendingFile is a migration file not completely applied: all of it, or,
// for an interrupted apply, the steps from Start on.
type PendingFile struct {
	*File
	Start int
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
