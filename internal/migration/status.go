package migration

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// State is where a migration stands.
type State string

// Migration states, as `migrate status` prints them.
const (
	StateApplied     State = "applied"      // ran completely, or was marked applied by baseline
	StatePending     State = "pending"      // a file not yet in the ledger
	StatePartial     State = "partial"      // interrupted between steps; apply resumes it
	StateMissingFile State = "missing-file" // in the ledger, but its file is gone
)

// StatusEntry is one migration: a file, a ledger row, or both.
type StatusEntry struct {
	Name  string
	State State
	// Baselined is set for files marked applied without running them.
	Baselined bool
	// AppliedAt is when the ledger row was last written; zero when pending.
	AppliedAt time.Time
	// Checksum is the recorded checksum for files in the ledger, the file's
	// own checksum for pending ones.
	Checksum string
	// ChecksumMismatch is set when the file changed after it was recorded.
	ChecksumMismatch bool
	// StepsDone and StepsTotal count the steps run (ledger) or to run.
	StepsDone, StepsTotal int
}

// Status lists the migrations of dir and of the ledger, by name. It writes
// nothing: a database without a ledger has every file pending.
func Status(ctx context.Context, conn *pgx.Conn, dir, tracking string) ([]StatusEntry, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ledger, err := readLedger(ctx, conn, tracking)
	if err != nil {
		return nil, err
	}
	var out []StatusEntry
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Name] = true
		r := ledger[f.Name]
		if r == nil {
			out = append(out, StatusEntry{Name: f.Name, State: StatePending, Checksum: f.Checksum, StepsTotal: len(f.Steps)})
			continue
		}
		e := entryFromRow(r)
		e.ChecksumMismatch = r.Checksum != f.Checksum
		out = append(out, e)
	}
	for name, r := range ledger {
		if !seen[name] {
			e := entryFromRow(r)
			e.State = StateMissingFile
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func entryFromRow(r *row) StatusEntry {
	e := StatusEntry{
		Name: r.Filename, State: StateApplied, Baselined: r.Status == statusBaselined,
		AppliedAt: r.AppliedAt, Checksum: r.Checksum, StepsDone: r.StepsDone, StepsTotal: r.StepsTotal,
	}
	if r.Status == statusPartial {
		e.State = StatePartial
	}
	return e
}

// Baseline records migration files as applied without running them (status
// 'baselined'), for a database whose schema already contains them. It
// returns the names marked, in the order given. A file already recorded with
// the same checksum is left as it is and still counts as marked; one
// recorded with a different checksum is an error, and nothing is recorded.
func Baseline(ctx context.Context, conn *pgx.Conn, tracking string, files []string) ([]string, error) {
	if err := ensureLedger(ctx, conn, tracking); err != nil {
		return nil, err
	}
	ledger, err := readLedger(ctx, conn, tracking)
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var names []string
	for _, path := range files {
		f, err := ReadFile(path)
		if err != nil {
			return nil, err
		}
		if r := ledger[f.Name]; r != nil {
			if r.Checksum != f.Checksum {
				return nil, fmt.Errorf("%s is already recorded in the ledger (status %s) with a different checksum (recorded=%s, file=%s); nothing was marked",
					filepath.Base(path), r.Status, shortHash(r.Checksum), shortHash(f.Checksum))
			}
			if r.Status != statusPartial {
				names = append(names, f.Name)
				continue
			}
		}
		err = writeRow(ctx, tx, tracking, &row{
			Filename: f.Name, Checksum: f.Checksum, Baseline: f.Baseline, Result: f.Result,
			StepsDone: len(f.Steps), StepsTotal: len(f.Steps), Status: statusBaselined,
		})
		if err != nil {
			return nil, err
		}
		names = append(names, f.Name)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return names, nil
}
