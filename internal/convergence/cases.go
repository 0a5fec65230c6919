// Package convergence holds pg-flux's convergence tests: pairs of schemas
// under testdata/cases that the real command line must migrate between, in
// both directions, reporting exactly the expected hazards and ending with a
// live database that has no drift from source.
//
// This file reads the case files; the tests are in convergence_test.go.
package convergence

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Case is one directory of testdata/cases: a schema before and after a
// change, and what migrating between them must report.
type Case struct {
	Name        string
	Description string
	// Schemas are the managed PostgreSQL schemas (--schemas).
	Schemas []string
	// Roles are created (NOLOGIN, cluster-wide) before the case runs: grants,
	// policies and owners may name them.
	Roles []string
	// ManageOwners runs the case with --manage-owners.
	ManageOwners bool
	// Outside is SQL run on live before either state (outside.sql, may be
	// absent): objects outside the managed schemas that the states use, as
	// an extension in a schema of its own is on Supabase. Never in source.
	Outside  string
	Before   string // SQL of the "before" state
	After    string // SQL of the "after" state
	Forward  Direction
	Backward Direction
	// MinMajor and MaxMajor gate the case to PostgreSQL majors (0: no
	// bound), for a feature one major lacks or changed; MajorReason says
	// why. A gated case is reported as skipped with the reason.
	MinMajor, MaxMajor int
	MajorReason        string
}

// Gated returns why the case does not run on PostgreSQL major, or "".
func (c *Case) Gated(major int) string {
	switch {
	case c.MinMajor != 0 && major < c.MinMajor:
		return fmt.Sprintf("gated: needs PostgreSQL %d or newer, the server is %d: %s", c.MinMajor, major, c.MajorReason)
	case c.MaxMajor != 0 && major > c.MaxMajor:
		return fmt.Sprintf("gated: runs on PostgreSQL %d and older, the server is %d: %s", c.MaxMajor, major, c.MajorReason)
	}
	return ""
}

// Direction is what a migration in one direction must report.
type Direction struct {
	// Hazards are the kinds of every hazard and advisory the generated
	// file reports, sorted and without duplicates.
	Hazards []string `yaml:"hazards"`
	// Rewrites are the names of the safety rewrites (plan.Rewrite*) the
	// generated file's steps are marked with ("-- … [rewrite: name]"),
	// sorted and without duplicates; none when left out.
	Rewrites []string `yaml:"rewrites"`
	// KnownGap, when set, names a product bug this direction still hits;
	// the runner reports it as skipped with that reason, so the gap stays
	// visible in every run until it is fixed and the line removed.
	KnownGap string `yaml:"known_gap"`
	// DownGap, when set, says why this direction's Down section does not
	// bring live back to the file's baseline (the runner skips that check
	// and logs the reason); every other direction must round-trip.
	DownGap string `yaml:"down_gap"`
}

// caseFile is case.yaml.
type caseFile struct {
	Description string    `yaml:"description"`
	Schemas     []string  `yaml:"schemas"`
	Roles       []string  `yaml:"roles"`
	Owners      bool      `yaml:"manage_owners"`
	Forward     Direction `yaml:"forward"`
	Backward    Direction `yaml:"backward"`
	MinMajor    int       `yaml:"min_major"`
	MaxMajor    int       `yaml:"max_major"`
	MajorReason string    `yaml:"major_reason"`
}

// LoadCases reads every case under root, ordered by name.
func LoadCases(root string) ([]*Case, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	var cases []*Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := LoadCase(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases, nil
}

// LoadCase reads one case directory. Unknown keys in case.yaml are errors,
// so a misspelt expectation cannot pass silently.
func LoadCase(dir string) (*Case, error) {
	c := &Case{Name: filepath.Base(dir)}
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("case %s: %w", c.Name, err)
		}
		return string(b), nil
	}
	var err error
	if c.Before, err = read("before.sql"); err != nil {
		return nil, err
	}
	if c.After, err = read("after.sql"); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "outside.sql")); err == nil {
		c.Outside = string(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("case %s: %w", c.Name, err)
	}
	raw, err := read("case.yaml")
	if err != nil {
		return nil, err
	}
	var f caseFile
	dec := yaml.NewDecoder(strings.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("case %s: case.yaml: %w", c.Name, err)
	}
	c.Description = f.Description
	c.Schemas = f.Schemas
	if len(c.Schemas) == 0 {
		c.Schemas = []string{"public"}
	}
	c.Roles, c.ManageOwners = f.Roles, f.Owners
	c.Forward, c.Backward = f.Forward, f.Backward
	c.MinMajor, c.MaxMajor, c.MajorReason = f.MinMajor, f.MaxMajor, f.MajorReason
	if (c.MinMajor != 0 || c.MaxMajor != 0) && strings.TrimSpace(c.MajorReason) == "" {
		return nil, fmt.Errorf("case %s: case.yaml: min_major or max_major needs a major_reason", c.Name)
	}
	return c, nil
}

// Header is what the test reads back from a generated migration file.
type Header struct {
	Baseline string // the "-- baseline:" hash
	Result   string // the "-- result:" hash
	// Kinds are the hazard and advisory kinds of the "-- [HAZARD KIND] …"
	// and "-- [ADVISORY KIND] …" lines, sorted and without duplicates.
	Kinds []string
	// Rewrites are the names in the "[rewrite: name]" markers of the step
	// summaries, sorted and without duplicates.
	Rewrites []string
	// HasDown is set when the file has a Down section; DownKinds are the
	// hazard kinds of its "-- [HAZARD KIND] …" lines (those of the Up are
	// Kinds).
	HasDown   bool
	DownKinds []string
}

// ParseHeader reads the result hash and the hazard kinds of a migration
// file.
func ParseHeader(file []byte) (Header, error) {
	var h Header
	seen := map[string]bool{}
	for _, line := range bytes.Split(file, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "-- +pg-flux Down" {
			h.HasDown = true
			seen = map[string]bool{}
			continue
		}
		if !strings.HasPrefix(s, "--") {
			continue
		}
		if h.HasDown {
			if strings.HasPrefix(s, "-- [HAZARD ") {
				if f := strings.Fields(strings.TrimPrefix(s, "-- [HAZARD ")); len(f) > 0 {
					k := strings.TrimSuffix(f[0], "]")
					if !seen[k] {
						seen[k] = true
						h.DownKinds = append(h.DownKinds, k)
					}
				}
			}
			continue
		}
		s = strings.TrimSpace(strings.TrimPrefix(s, "--"))
		switch {
		case strings.HasPrefix(s, "baseline:"):
			if f := strings.Fields(strings.TrimPrefix(s, "baseline:")); len(f) > 0 {
				h.Baseline = f[0]
			}
		case strings.HasPrefix(s, "result:"):
			if f := strings.Fields(strings.TrimPrefix(s, "result:")); len(f) > 0 {
				h.Result = f[0]
			}
		case strings.HasSuffix(s, "]") && strings.Contains(s, "[rewrite: "):
			name := strings.TrimSuffix(s[strings.LastIndex(s, "[rewrite: ")+len("[rewrite: "):], "]")
			if !seen["rewrite "+name] {
				seen["rewrite "+name] = true
				h.Rewrites = append(h.Rewrites, name)
			}
		case strings.HasPrefix(s, "[HAZARD "), strings.HasPrefix(s, "[ADVISORY "):
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return h, fmt.Errorf("malformed hazard line %q", s)
			}
			f := strings.Fields(s[1:end])
			if len(f) != 2 {
				return h, fmt.Errorf("malformed hazard line %q", s)
			}
			if !seen[f[1]] {
				seen[f[1]] = true
				h.Kinds = append(h.Kinds, f[1])
			}
		}
	}
	if h.Result == "" {
		return h, errors.New("no \"-- result:\" line in the migration header")
	}
	sort.Strings(h.Kinds)
	sort.Strings(h.DownKinds)
	sort.Strings(h.Rewrites)
	return h, nil
}
