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
	StateOutOfOrder  State = "out-of-order" // pending, but sorts before the newest applied file
	StateModified    State = "modified"     // applied, but its bytes changed since
	StateMissingFile State = "missing"      // in the ledger, but its file is gone
	StateRenamed     State = "renamed"      // pending, with the bytes of a missing applied file
	StateRollingBack State = "rolling-back" // its Down section ran partly; rollback resumes it
)

// StatusEntry is one migration: a file, a ledger row, or both.
type StatusEntry struct {
	Name  string `json:"file"`
	State State  `json:"state"`
	// Baselined is set for files marked applied without running them.
	Baselined bool `json:"baselined,omitempty"`
	// AppliedAt is when the ledger row was last written; zero when pending.
	AppliedAt  time.Time `json:"applied_at,omitzero"`
	DurationMS int64     `json:"duration_ms,omitempty"`
	// Checksum is the recorded checksum for files in the ledger, the file's
	// own checksum for pending ones.
	Checksum string `json:"checksum"`
	// FileChecksum is the file's checksum when it differs from the recorded
	// one (modified).
	FileChecksum string `json:"file_checksum,omitempty"`
	// ChecksumMismatch is set when the file changed after it was recorded.
	ChecksumMismatch bool `json:"-"`
	// StepsDone and StepsTotal count the steps run (ledger) or to run.
	StepsDone  int `json:"steps_done"`
	StepsTotal int `json:"steps_total"`
	// AllowedHazards are the hazards allowed when it was applied.
	AllowedHazards []string `json:"allowed_hazards,omitempty"`
	// Note says what to do about a state that needs attention.
	Note string `json:"note,omitempty"`
}

// NeedsAttention reports the states `migrate status` exits 1 on.
func (e StatusEntry) NeedsAttention() bool {
	switch e.State {
	case StateModified, StateMissingFile, StatePartial, StateRenamed, StateRollingBack:
		return true
	}
	return false
}

// StatusReport is every migration and the ledger's chain.
type StatusReport struct {
	Entries []StatusEntry `json:"migrations"`
	// ChainBrokenAt names the first ledger row whose checksum chain does
	// not hold; "" when intact.
	ChainBrokenAt string `json:"chain_broken_at,omitempty"`
	ChainNote     string `json:"chain_note,omitempty"`
}

// NeedsAttention reports whether anything in the report does.
func (r *StatusReport) NeedsAttention() bool {
	if r.ChainBrokenAt != "" {
		return true
	}
	for _, e := range r.Entries {
		if e.NeedsAttention() {
			return true
		}
	}
	return false
}

// Status lists the migrations of dir and of the ledger, by name. It writes
// nothing: a database without a ledger has every file pending.
func Status(ctx context.Context, conn *pgx.Conn, dir, tracking string) ([]StatusEntry, error) {
	r, err := StatusOf(ctx, conn, dir, tracking)
	if err != nil {
		return nil, err
	}
	return r.Entries, nil
}

// StatusOf is Status with the integrity of the ledger's chain.
func StatusOf(ctx context.Context, conn *pgx.Conn, dir, tracking string) (*StatusReport, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ledger, err := readLedger(ctx, conn, tracking)
	if err != nil {
		return nil, err
	}
	in := checkIntegrity(files, ledger)
	outOfOrder := map[string]bool{}
	for _, n := range in.OutOfOrder {
		outOfOrder[n] = true
	}
	rep := &StatusReport{}
	var out []StatusEntry
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Name] = true
		r := ledger[f.Name]
		if r == nil {
			e := StatusEntry{Name: f.Name, State: StatePending, Checksum: f.Checksum, StepsTotal: len(f.Steps)}
			switch {
			case in.Renamed[f.Name] != "":
				e.State = StateRenamed
				e.Note = fmt.Sprintf("same bytes as the applied %s: rename it back", in.Renamed[f.Name])
			case outOfOrder[f.Name]:
				e.State = StateOutOfOrder
				e.Note = fmt.Sprintf("sorts before the applied %s; if apply refuses it, run `pg-flux migrate rebase`", in.LastApplied)
			}
			out = append(out, e)
			continue
		}
		e := entryFromRow(r)
		if r.Checksum != f.Checksum {
			e.ChecksumMismatch = true
			e.FileChecksum = f.Checksum
			if e.State == StateApplied {
				e.State = StateModified
				e.Note = "changed after it was applied: run `pg-flux migrate repair` if only comments changed, else restore it"
			}
		}
		out = append(out, e)
	}
	for name, r := range ledger {
		if !seen[name] {
			e := entryFromRow(r)
			e.State = StateMissingFile
			e.Note = "recorded as applied, not in the directory: restore it from version control"
			if r.Status == statusPartial {
				e.Note = fmt.Sprintf("partly applied (%d of %d step(s)), not in the directory: restore it from version control, then run migrate apply to finish it", r.StepsDone, r.StepsTotal)
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	rep.Entries = out
	if in.BrokenAt != "" {
		rep.ChainBrokenAt = in.BrokenAt
		rep.ChainNote = "a ledger row recorded before it was deleted or edited; restore it, or run `pg-flux migrate repair` to re-chain the history as it is"
	}
	return rep, nil
}

func entryFromRow(r *row) StatusEntry {
	e := StatusEntry{
		Name: r.Filename, State: StateApplied, Baselined: r.Status == statusBaselined,
		AppliedAt: r.AppliedAt, DurationMS: r.DurationMS, Checksum: r.Checksum, StepsDone: r.StepsDone, StepsTotal: r.StepsTotal,
		AllowedHazards: r.AllowedHazards,
	}
	switch r.Status {
	case statusPartial:
		e.State = StatePartial
		e.Note = "an apply stopped between steps: run `pg-flux migrate apply` to resume it"
	case statusRollingBack:
		e.State = StateRollingBack
		e.Note = "a rollback stopped between steps: run `pg-flux migrate rollback` to resume it"
	}
	return e
}

// Baseline records migration files as applied without running them (status
// 'baselined'), for a database whose schema already contains them. It
// returns the names marked, in the order given. A file already recorded with
// the same checksum is left as it is and still counts as marked; one
// recorded with a different checksum is an error, and nothing is recorded.
func Baseline(ctx context.Context, conn *pgx.Conn, tracking string, files []string) ([]string, error) {
	// As repair: the ledger is written, so a running apply is waited for.
	unlock, err := acquireLock(ctx, conn, targetOf(conn), DefaultLockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
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
		hashes, err := f.StatementHashes()
		if err != nil {
			return nil, err
		}
		err = writeRow(ctx, tx, tracking, &row{
			Filename: f.Name, Checksum: f.Checksum, Baseline: f.Baseline, Result: f.Result, StatementHashes: hashes,
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
