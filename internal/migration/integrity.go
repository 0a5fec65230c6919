package migration

import (
	"fmt"
	"maps"
	"slices"
)

// Integrity is what the migrations directory and the ledger say about each
// other: the checks migrate apply and migrate status make before anything
// else.
type Integrity struct {
	// Modified are applied (or partly applied) files whose bytes changed
	// since they were recorded.
	Modified []string
	// Missing are files in the ledger that are not in the directory.
	Missing []string
	// Renamed maps a pending file to the missing applied file whose bytes
	// it has: the file was renamed, and would run a second time.
	Renamed map[string]string
	// OutOfOrder are pending files that sort before LastApplied, the
	// newest applied file by name (typically from a merged branch).
	OutOfOrder  []string
	LastApplied string
	// BrokenAt is the first ledger row whose chain link does not hold (a
	// row before it was deleted or rewritten); "" when the chain is intact.
	// After names the row recorded before it.
	BrokenAt, After string
}

// checkIntegrity compares the directory with the ledger.
func checkIntegrity(files []*File, ledger map[string]*row) Integrity {
	var in Integrity
	inDir := map[string]*File{}
	for _, f := range files {
		inDir[f.Name] = f
	}
	prev, prevName := "", ""
	missingBySum := map[string]string{}
	for _, r := range inOrder(ledger) {
		if r.Chain != "" && in.BrokenAt == "" && r.Chain != chainHash(prev, r.Filename, r.Checksum) {
			in.BrokenAt, in.After = r.Filename, prevName
		}
		prev, prevName = r.Chain, r.Filename
		f := inDir[r.Filename]
		switch {
		case f == nil:
			in.Missing = append(in.Missing, r.Filename)
			missingBySum[r.Checksum] = r.Filename
		case f.Checksum != r.Checksum:
			in.Modified = append(in.Modified, r.Filename)
		}
		if r.Status != statusPartial && r.Filename > in.LastApplied {
			in.LastApplied = r.Filename
		}
	}
	for _, f := range files {
		if ledger[f.Name] != nil {
			continue
		}
		if old, ok := missingBySum[f.Checksum]; ok {
			if in.Renamed == nil {
				in.Renamed = map[string]string{}
			}
			in.Renamed[f.Name] = old
		}
		if in.LastApplied != "" && f.Name < in.LastApplied {
			in.OutOfOrder = append(in.OutOfOrder, f.Name)
		}
	}
	return in
}

// refusal returns the first problem that stops migrate apply (and
// rollback) before anything runs: a changed applied file, a renamed one, or
// a broken chain. verb is the command, for the message.
func (in Integrity) refusal(ledger map[string]*row, files []*File, verb string) *RefusedError {
	byName := map[string]*File{}
	for _, f := range files {
		byName[f.Name] = f
	}
	if len(in.Modified) > 0 {
		name := in.Modified[0]
		r, f := ledger[name], byName[name]
		if r.Status == statusPartial {
			return &RefusedError{File: name, Reason: "checksum", msg: fmt.Sprintf(
				"refusing to %s %s: the file changed after it was partly applied (%d of %d step(s) ran)\n"+
					"(recorded checksum=%s, current=%s).\n"+
					"Restore the file to finish it, then add a new migration for further changes.",
				verb, name, r.StepsDone, r.StepsTotal, shortHash(r.Checksum), shortHash(f.Checksum))}
		}
		return &RefusedError{File: name, Reason: "checksum", msg: fmt.Sprintf(
			"refusing to %s: %s was changed after it was applied\n"+
				"(recorded checksum=%s, current=%s).\n"+
				"Run `pg-flux migrate repair` if only comments changed, otherwise restore the file and add a new migration.",
			verb, name, shortHash(r.Checksum), shortHash(f.Checksum))}
	}
	for _, name := range in.Missing {
		if r := ledger[name]; r.Status == statusPartial {
			return &RefusedError{File: name, Reason: "missing", msg: fmt.Sprintf(
				"refusing to %s: %s was partly applied (%d of %d step(s) ran) and is no longer in the migrations directory.\n"+
					"Restore it from version control (`git log --diff-filter=D -- '*%s'`), then run `pg-flux migrate apply` to finish it.",
				verb, name, r.StepsDone, r.StepsTotal, name)}
		}
	}
	if renamed := slices.Sorted(maps.Keys(in.Renamed)); len(renamed) > 0 {
		name := renamed[0]
		old := in.Renamed[name]
		return &RefusedError{File: name, Reason: "renamed", msg: fmt.Sprintf(
			"refusing to %s: %s has the same bytes as %s, which was applied and is no longer in the directory:\n"+
				"the migration history was reordered. Rename %s back to %s (`git mv`), then run `pg-flux migrate status`.",
			verb, name, old, name, old)}
	}
	if in.BrokenAt != "" {
		after := "the start of the history"
		if in.After != "" {
			after = in.After
		}
		return &RefusedError{File: in.BrokenAt, Reason: "chain", msg: fmt.Sprintf(
			"refusing to %s: the ledger's checksum chain breaks at %s (recorded after %s):\n"+
				"a ledger row before it was deleted or edited, so the recorded history is not the one that ran.\n"+
				"Restore the ledger rows (%s), or, if the history as it is now is right, run `pg-flux migrate repair` to re-chain it.",
			verb, in.BrokenAt, after, "the migrations table of the tracking schema")}
	}
	return nil
}

// outOfOrderWarning is the warning for a pending file older than the newest
// applied one, with the steps that fix it.
func outOfOrderWarning(name, lastApplied string) string {
	return fmt.Sprintf("%s sorts before %s, which is already applied (out of order, e.g. from a merged branch).\n"+
		"  It is applied only if live still matches its baseline. If it is refused:\n"+
		"  1. run `pg-flux migrate rebase` to regenerate the pending files on top of live as it is now;\n"+
		"  2. review and commit the rebased files;\n"+
		"  3. run `pg-flux migrate apply` again.", name, lastApplied)
}

// missingWarning is the warning for an applied file no longer in the
// directory.
func missingWarning(name string) string {
	return fmt.Sprintf("%s is recorded as applied but is not in the migrations directory; restore it from version control (`git log --diff-filter=D -- '*%s'`)", name, name)
}
