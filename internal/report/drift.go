package report

import (
	"io"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
)

// DriftText writes the drift report:
//
//	drift: 3 difference(s) between source and live:
//	+ table public.orders (missing in live)
//	- index public.idx_emergency_perf (not in source)
//	~ column public.users.email: type: text → character varying(255)
//
// or, with no changes, "drift: clean — live matches source.".
func DriftText(w io.Writer, changes []diff.Change) error {
	ew := &errWriter{w: w}
	if len(changes) == 0 {
		ew.printf("drift: clean — live matches source.\n")
		return ew.err
	}
	ew.printf("drift: %d difference(s) between source and live:\n", len(changes))
	for _, c := range changes {
		ew.printf("%s\n", DriftLine(c))
	}
	return ew.err
}

// DriftLine is one change as a line of the drift report.
func DriftLine(c diff.Change) string {
	subject := c.Object.String()
	details := strings.Join(c.Details, "; ")
	switch c.Op {
	case diff.Op("create"):
		return "+ " + subject + " (missing in live)" + suffix(details)
	case diff.Op("drop"):
		return "- " + subject + " (not in source)" + suffix(details)
	}
	if details == "" {
		return "~ " + subject + " (differs)"
	}
	return "~ " + subject + ": " + details
}

func suffix(details string) string {
	if details == "" {
		return ""
	}
	return ": " + details
}

// driftJSON is the --format json shape of drift.
type driftJSON struct {
	Clean       bool         `json:"clean"`
	Differences []changeJSON `json:"differences"`
}

type changeJSON struct {
	Op      string   `json:"op"`
	Kind    string   `json:"kind"`
	Object  string   `json:"object"`
	Details []string `json:"details"`
}

func toChangeJSON(c diff.Change) changeJSON {
	details := c.Details
	if details == nil {
		details = []string{}
	}
	return changeJSON{Op: string(c.Op), Kind: string(c.Object.Kind), Object: ObjectName(c.Object), Details: details}
}

// DriftJSON writes the drift report as JSON:
// {"clean":false,"differences":[{"op":"drop","kind":"index","object":"public.idx","details":[]}]}.
func DriftJSON(w io.Writer, changes []diff.Change) error {
	out := driftJSON{Clean: len(changes) == 0, Differences: []changeJSON{}}
	for _, c := range changes {
		out.Differences = append(out.Differences, toChangeJSON(c))
	}
	return writeJSON(w, out)
}
