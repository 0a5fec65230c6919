// Package migration is everything about migration files once they exist:
// the file format, the ledger of applied files in the tracking schema, and
// the apply engine with its guards (advisory lock, checksums, baseline hash,
// hazards), plus status and baseline.
package migration

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Header line prefixes of a generated file.
const (
	headerName     = "-- pg-flux migration "
	headerBaseline = "-- baseline:"
	headerResult   = "-- result:"
)

// File is one migration file as it is on disk now.
type File struct {
	Path string // as given
	Name string // base name, the file's identity in the ledger
	// Baseline and Result are the hashes of the header ("sha256:<hex>");
	// both are empty for a hand-written file without a header, which skips
	// the baseline check.
	Baseline, Result string
	// Checksum is "sha256:<hex>" of the file's bytes.
	Checksum   string
	Statements []source.Statement
	// Steps are the statements as executable steps, one per statement, with
	// the isolation their parse tree calls for.
	Steps []plan.Step
	// Down is the section that undoes the file (after a "-- +pg-flux Down"
	// line, or in <name>.down.sql); nil when the file has none.
	Down *Section
}

// Section is the Down part of a migration file.
type Section struct {
	Path       string // the file it is in
	Statements []source.Statement
	Steps      []plan.Step
}

// DownMarker starts a file's Down section; DownSuffix names a separate
// Down file (<name>.down.sql).
const (
	DownMarker = "-- +pg-flux Down"
	DownSuffix = ".down.sql"
)

// Render writes a migration file: the header (name, baseline and result
// hashes, one comment per hazard finding), a blank line, then each step as a
// "-- summary" line followed by its SQL, steps separated by blank lines. An
// empty baseline or result leaves its line out.
func Render(name, baseline, result string, findings []hazard.Finding, steps []plan.Step) []byte {
	return RenderWithDown(name, baseline, result, findings, steps, nil)
}

// Down is a Down section to render: its steps and the hazards they carry
// (a DATA_LOSS finding says what cannot come back).
type Down struct {
	Findings []hazard.Finding
	Steps    []plan.Step
}

// RenderWithDown is Render with a Down section after the Up statements
// (nil for none).
func RenderWithDown(name, baseline, result string, findings []hazard.Finding, steps []plan.Step, down *Down) []byte {
	b := bytes.NewBuffer(render(name, baseline, result, findings, steps))
	if down != nil {
		b.WriteString("\n")
		b.Write(RenderDown(down))
	}
	return b.Bytes()
}

// RenderDown writes a Down section: the marker, its hazards, its steps. A
// separate <name>.down.sql holds the same text.
func RenderDown(down *Down) []byte {
	var b bytes.Buffer
	b.WriteString(DownMarker + "\n")
	for _, f := range down.Findings {
		fmt.Fprintf(&b, "-- %s\n", oneLine(f.String()))
	}
	if len(down.Steps) == 0 {
		b.WriteString("-- (nothing to undo)\n")
	}
	for _, s := range down.Steps {
		b.WriteString("\n")
		if s.Summary != "" {
			fmt.Fprintf(&b, "-- %s\n", oneLine(s.Summary))
		}
		b.WriteString(terminated(s.SQL))
		b.WriteString("\n")
	}
	return b.Bytes()
}

func render(name, baseline, result string, findings []hazard.Finding, steps []plan.Step) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%s\n", headerName, oneLine(name))
	if baseline != "" {
		fmt.Fprintf(&b, "%s %s\n", headerBaseline, baseline)
	}
	if result != "" {
		// Padded so both hashes line up, as in the documented example.
		fmt.Fprintf(&b, "%s   %s\n", headerResult, result)
	}
	for _, f := range findings {
		fmt.Fprintf(&b, "-- %s\n", oneLine(f.String()))
	}
	for _, s := range steps {
		b.WriteString("\n")
		if s.Summary != "" {
			fmt.Fprintf(&b, "-- %s\n", oneLine(s.Summary))
		}
		b.WriteString(terminated(s.SQL))
		b.WriteString("\n")
	}
	return b.Bytes()
}

// terminated returns the statement ending in ";". The semicolon goes on a
// line of its own when the last line ends in a comment, where it would be
// swallowed.
func terminated(sql string) string {
	sql = strings.TrimSpace(sql)
	if strings.HasSuffix(sql, ";") {
		return sql
	}
	last := sql[strings.LastIndexByte(sql, '\n')+1:]
	if strings.Contains(last, "--") {
		return sql + "\n;"
	}
	return sql + ";"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Checksum returns "sha256:<hex>" of a file's bytes, as the ledger records it.
func Checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ReadFile reads and parses a migration file. Statements are split with
// PostgreSQL's parser; a file that does not parse gives a *source.Error
// with file:line.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read migration: %w", err)
	}
	return parseFile(path, data)
}

func parseFile(path string, data []byte) (*File, error) {
	text := string(data)
	f := &File{Path: path, Name: filepath.Base(path), Checksum: Checksum(data)}
	up, down, hasDown := splitDown(text)
	if hasDown {
		// The Down section keeps its line numbers: the Up part is blanked.
		sec, err := parseSection(path, strings.Repeat("\n", strings.Count(up, "\n"))+down)
		if err != nil {
			return nil, err
		}
		f.Down = sec
		text = up
	} else {
		downPath := strings.TrimSuffix(path, ".sql") + DownSuffix
		if d, err := os.ReadFile(downPath); err == nil {
			sec, err := parseSection(downPath, string(d))
			if err != nil {
				return nil, err
			}
			f.Down = sec
			// Both files are the migration: an edit to either is a change.
			f.Checksum = Checksum(append(append(append([]byte{}, data...), 0), d...))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read migration: %w", err)
		}
	}
	lines := strings.Split(text, "\n")
	// The header is the leading block of comment lines.
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, "--") {
			break
		}
		if v, ok := strings.CutPrefix(line, headerBaseline); ok {
			f.Baseline = firstField(v)
		} else if v, ok := strings.CutPrefix(line, headerResult); ok {
			f.Result = firstField(v)
		}
	}
	sec, err := parseSection(path, text)
	if err != nil {
		return nil, err
	}
	f.Statements, f.Steps = sec.Statements, sec.Steps
	return f, nil
}

// splitDown splits a file's text at its "-- +pg-flux Down" line.
func splitDown(text string) (up, down string, ok bool) {
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		if strings.TrimSpace(text[off:off+end]) == DownMarker {
			return text[:off], text[off:], true
		}
		off += end + 1
	}
	return text, "", false
}

func parseSection(path, text string) (*Section, error) {
	// PostgreSQL 18 syntax the parser cannot read is kept unparsed here;
	// CheckMajor refuses it for an older server.
	stmts, err := source.SplitFor(path, text, source.FallbackMajor)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	sec := &Section{Path: path, Statements: stmts}
	for _, st := range stmts {
		sec.Steps = append(sec.Steps, plan.Step{
			SQL:       terminated(st.SQL),
			Summary:   summaryBefore(lines, st.Line),
			Isolation: hazard.Isolation(st),
		})
	}
	return sec, nil
}

func firstField(s string) string {
	if fs := strings.Fields(s); len(fs) > 0 {
		return fs[0]
	}
	return ""
}

// summaryBefore returns the text of a "-- summary" comment on the line just
// above a statement (line is 1-based), as Render writes it; header lines are
// not summaries.
func summaryBefore(lines []string, line int) string {
	i := line - 2
	if i < 0 || i >= len(lines) {
		return ""
	}
	l := strings.TrimSpace(lines[i])
	if !strings.HasPrefix(l, "--") {
		return ""
	}
	for _, h := range []string{headerName, headerBaseline, headerResult, "-- [HAZARD ", "-- [ADVISORY ", DownMarker} {
		if strings.HasPrefix(l, h) {
			return ""
		}
	}
	return strings.TrimSpace(strings.TrimPrefix(l, "--"))
}

// CheckMajor refuses, for a server older than source.FallbackMajor, the
// statements of the files (Up and Down) that only PostgreSQL 18's grammar
// parses, with the parse error at file:line as for any syntax error.
func CheckMajor(files []*File, major int) error {
	for _, f := range files {
		if err := source.CheckMajor(f.Statements, major); err != nil {
			return err
		}
		if f.Down != nil {
			if err := source.CheckMajor(f.Down.Statements, major); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadDir reads every *.sql file of dir, sorted by name. A missing directory
// holds no migrations.
func ReadDir(dir string) ([]*File, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read migrations directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") && !strings.HasSuffix(e.Name(), DownSuffix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	files := make([]*File, 0, len(names))
	for _, n := range names {
		f, err := ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
