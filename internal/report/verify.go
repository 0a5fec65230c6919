package report

import (
	"io"
	"path/filepath"

	"github.com/pg-flux/pg-flux/internal/diff"
)

// Undeclared returns the changes that stand for objects live has and source
// does not declare (the drop side of the diff), grouped by kind.
func Undeclared(changes []diff.Change) []diff.Change {
	var out []diff.Change
	for _, c := range changes {
		if c.Op == diff.Op("drop") {
			out = append(out, c)
		}
	}
	return sortedChanges(out)
}

// VerifyText writes the verify report for the undeclared objects (as
// returned by Undeclared), exactly as the drift-recovery page shows it:
//
//	verify: 1 undeclared live object(s):
//
//	Indexes (1):
//	- public.idx_emergency_perf
//
//	Run `pg-flux pull` to capture these into schema/_pulled/<ts>.sql for review.
//
// schemaDir is the source directory as configured ("./schema" prints as
// "schema"). unmodelled are the live objects of kinds pg-flux does not
// model (model.Model.Unmodelled): source cannot declare them, so they are
// listed after the rest and verify is not clean.
func VerifyText(w io.Writer, undeclared []diff.Change, unmodelled []string, schemaDir string) error {
	ew := &errWriter{w: w}
	if len(undeclared) == 0 && len(unmodelled) == 0 {
		ew.printf("verify: clean — every live object is declared in source.\n")
		return ew.err
	}
	if len(undeclared) > 0 {
		undeclaredText(ew, undeclared, schemaDir)
	}
	if len(unmodelled) > 0 {
		if len(undeclared) > 0 {
			ew.printf("\n")
		}
		ew.printf("verify: %d live object(s) of kinds pg-flux does not model (source cannot declare them; plans and dumps leave them out):\n", len(unmodelled))
		for _, o := range unmodelled {
			ew.printf("- %s\n", o)
		}
		ew.printf("\n%s\n", UnmodelledHint)
	}
	return ew.err
}

// UnmodelledHint says what to do about objects pg-flux does not model.
const UnmodelledHint = "Manage them outside pg-flux (for example in a schema it does not manage), or drop them."

func undeclaredText(ew *errWriter, undeclared []diff.Change, schemaDir string) {
	undeclared = sortedChanges(undeclared)
	ew.printf("verify: %d undeclared live object(s):\n", len(undeclared))
	for i := 0; i < len(undeclared); {
		h, _ := heading(undeclared[i].Object.Kind)
		j := i
		for j < len(undeclared) && undeclared[j].Object.Kind == undeclared[i].Object.Kind {
			j++
		}
		ew.printf("\n%s (%d):\n", h, j-i)
		for _, c := range undeclared[i:j] {
			ew.printf("- %s\n", ObjectName(c.Object))
		}
		i = j
	}
	ew.printf("\nRun `pg-flux pull` to capture these into %s for review.\n",
		filepath.ToSlash(filepath.Join(filepath.Clean(schemaDir), "_pulled", "<ts>.sql")))
}

type verifyJSON struct {
	Clean      bool         `json:"clean"`
	Undeclared []objectJSON `json:"undeclared"`
	Unmodelled []string     `json:"unmodelled,omitempty"`
}

type objectJSON struct {
	Kind   string `json:"kind"`
	Object string `json:"object"`
}

// VerifyJSON writes the verify report as JSON:
// {"clean":false,"undeclared":[{"kind":"index","object":"public.idx_emergency_perf"}]}.
// unmodelled are listed as in VerifyText, under "unmodelled".
func VerifyJSON(w io.Writer, undeclared []diff.Change, unmodelled []string) error {
	out := verifyJSON{Clean: len(undeclared) == 0 && len(unmodelled) == 0, Undeclared: []objectJSON{}, Unmodelled: unmodelled}
	for _, c := range sortedChanges(undeclared) {
		out.Undeclared = append(out.Undeclared, objectJSON{Kind: string(c.Object.Kind), Object: ObjectName(c.Object)})
	}
	return writeJSON(w, out)
}
