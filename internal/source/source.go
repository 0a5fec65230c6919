// Package source reads the desired schema: every *.sql file under the schema
// directory, split into statements with PostgreSQL's own parser, each kept
// with its file and line.
package source

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Statement is one SQL statement of a source or migration file.
type Statement struct {
	File string // path as given (relative to the working directory when possible)
	Line int    // 1-based line of the statement's first token
	SQL  string // the statement text, without the terminating semicolon
	// Node is the pg_query node type of the statement, e.g. "CreateStmt",
	// "IndexStmt", "AlterTableStmt", "VariableSetStmt".
	Node string
	// NoTransaction is set for statements PostgreSQL refuses to run inside a
	// transaction block (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY,
	// REINDEX … CONCURRENTLY, VACUUM, …).
	NoTransaction bool
	// Late is set for statements that act on objects created after them:
	// ALTER DEFAULT PRIVILEGES, and event triggers with what alters or
	// comments on them. The shadow database runs them after every other
	// statement, so that the source means the same in any file order.
	Late bool
	// TransactionScoped is set for statements whose effect may end with
	// the transaction they run in: SET LOCAL, SET TRANSACTION,
	// set_config(…, true), a temporary table (ON COMMIT), LOCK, SET
	// CONSTRAINTS, and DO blocks and SELECTs calling any function but
	// set_config(…, false), which may do any of these. The shadow
	// commits a long source as it loads, but never between such a
	// statement and the rest of its file.
	TransactionScoped bool
	// Unparsed is set for a statement pg-flux's parser (PostgreSQL 17's
	// grammar) rejected but whose leading keywords make it a kind newer
	// syntax may appear in (see fallbackKind): Node is that kind, and
	// PostgreSQL itself parses the statement. Accepted only for servers
	// of FallbackMajor or newer (CheckMajor).
	Unparsed bool
	parseErr *Error // the parser's error, at its line, for CheckMajor
}

// IsSetting reports whether the statement changes session settings only:
// SET, RESET, or pg_dump's SELECT pg_catalog.set_config(…). In a loaded Set
// every SELECT is such a set_config call (Load rejects the others).
func (s Statement) IsSetting() bool {
	return s.Node == "VariableSetStmt" || s.Node == "SelectStmt"
}

// Error is a problem in a SQL file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Set is the whole schema source: the files of the schema directory and
// their statements, in file order.
type Set struct {
	// Dir is the schema directory as given.
	Dir string
	// Files are the .sql files in load order (lexical order of their paths
	// relative to Dir), each as Dir joined with that relative path — the
	// same form as Statement.File.
	Files []string
	// Statements are every file's statements in load order. They are DDL
	// and session settings (see Statement.IsSetting) only.
	Statements []Statement
	// Hints are the `-- @name …` comments of the files (see Hint), in
	// file order.
	Hints []Hint

	hash  string
	names map[Name]bool // QualifiedNames
}

// maxErrors bounds how many problems Load reports at once.
const maxErrors = 10

// Load reads every *.sql file under dir, recursively, in lexical order of
// their paths relative to dir. Statements that are not structure — data
// changes, queries, ROLLBACK and savepoints, database-level commands — are
// rejected with an *Error naming file:line and what to do instead (several
// problems are joined with errors.Join). BEGIN and COMMIT around DDL are
// left out: pg-flux decides the transactions.
func Load(dir string) (*Set, error) {
	return LoadFor(dir, 0)
}

// LoadFor is Load for a server of the given major (0: unknown): from
// FallbackMajor, statements the parser rejects are kept unparsed when
// their leading keywords allow it (see SplitFor). A caller that does not
// know the major yet loads for FallbackMajor and calls Set.CheckMajor once
// it does.
func LoadFor(dir string, major int) (*Set, error) {
	files, err := Read(dir)
	if err != nil {
		return nil, err
	}
	return files.Parse(major)
}

// Files are the schema directory's .sql files, read but not parsed: enough
// to know the source's hash, which is all a cached parse needs.
type Files struct {
	dir  string
	rels []string // paths relative to dir, slash-separated, in load order
	data [][]byte
	hash string
}

// Read reads every *.sql file under dir, recursively, in lexical order of
// their paths relative to dir.
func Read(dir string) (*Files, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("schema directory %s does not exist: run `pg-flux init` to create one, or point --schema at your schema directory", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read schema directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("schema directory %s is a file, not a directory: point --schema at the directory that holds your .sql files", dir)
	}
	var rels []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".sql") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rels = append(rels, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read schema directory %s: %w", dir, err)
	}
	sort.Strings(rels)
	f := &Files{dir: dir, rels: rels}
	h := sha256.New()
	for _, rel := range rels {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("read schema file: %w", err)
		}
		hashFile(h, rel, data)
		f.data = append(f.data, data)
	}
	f.hash = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// Hash is the hash the parsed Set will have (Set.Hash).
func (f *Files) Hash() string { return f.hash }

// Dir is the schema directory as given to Read.
func (f *Files) Dir() string { return f.dir }

// Parse splits and checks the files' statements for a server of the given
// major (see LoadFor). Files are parsed on every core; statements, hints
// and problems keep the files' order.
func (f *Files) Parse(major int) (*Set, error) {
	return f.ParseEach(major, nil)
}

// ParseEach is Parse that also hands each (when not nil) the set's
// statements as they are parsed and checked, in order, a run at a time,
// before it returns; the returned Set's statements are all those runs.
// Statements a check rejects are not handed on, so when there are
// problems each has seen only part of the set.
func (f *Files) ParseEach(major int, each func([]Statement)) (*Set, error) {
	set := &Set{Dir: f.dir, names: map[Name]bool{}, hash: f.hash}
	parsed := make([]parsedFile, len(f.rels))
	order := newInOrder(len(f.rels), each)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(f.rels)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i] = f.parseFile(i, major, order.of(i))
				order.done(i)
			}
		}()
	}
	for i := range f.rels {
		next <- i
	}
	close(next)
	wg.Wait()
	var problems []error
	for i, pf := range parsed {
		set.Files = append(set.Files, filepath.Join(f.dir, filepath.FromSlash(f.rels[i])))
		problems = append(problems, pf.problems...)
		set.Statements = append(set.Statements, pf.statements...)
		set.Hints = append(set.Hints, pf.hints...)
		for n := range pf.names {
			set.names[n] = true
		}
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	return set, nil
}

// parsedFile is what Parse takes from one file.
type parsedFile struct {
	statements []Statement
	names      map[Name]bool
	hints      []Hint
	problems   []error
}

// parseFile splits and checks the i-th file, handing each (when not nil)
// the statements that pass the checks as they are parsed.
func (f *Files) parseFile(i, major int, each func([]Statement)) parsedFile {
	file := filepath.Join(f.dir, filepath.FromSlash(f.rels[i]))
	data := f.data[i]
	out := parsedFile{names: map[Name]bool{}}
	// check keeps the statements that pass the checks and returns them.
	check := func(stmts []parsed) []Statement {
		n := len(out.statements)
		for _, st := range stmts {
			if isTransactionWrapper(st) {
				continue
			}
			if st.Unparsed && major < FallbackMajor {
				out.problems = append(out.problems, st.parseErr)
				continue
			}
			if e := reject(st); e != nil {
				out.problems = append(out.problems, e)
				continue
			}
			out.statements = append(out.statements, st.Statement)
			if !st.IsSetting() {
				collectNames(st.node, out.names)
			}
		}
		return out.statements[n:len(out.statements):len(out.statements)]
	}
	handed := false
	stmts, pieces, err := splitEach(file, string(data), func(run []parsed) {
		if kept := check(run); len(kept) > 0 && each != nil {
			each(kept)
			handed = true
		}
	})
	if err != nil {
		out.problems = append(out.problems, err)
		return out
	}
	if !pieces {
		// Parsed whole: checked here. When some pieces were handed on
		// before, the rest is not (the receiver sees a different set).
		out.statements, out.problems, out.names = nil, nil, map[Name]bool{}
		if kept := check(stmts); len(kept) > 0 && each != nil && !handed {
			each(kept)
		}
	}
	hints, err := ParseHints(file, string(data))
	if err != nil {
		out.problems = append(out.problems, err)
		return out
	}
	out.hints = hints
	return out
}

// Tables is the number of CREATE TABLE statements (partitions included):
// how large the schema is before it is loaded.
func (s *Set) Tables() int {
	n := 0
	for _, st := range s.Statements {
		if st.Node == "CreateStmt" {
			n++
		}
	}
	return n
}

// Hash is "sha256:<hex>" over the files' paths relative to Dir and their
// contents: the key of the desired-model cache. It does not depend on where
// the schema directory is.
func (s *Set) Hash() string {
	if s.hash != "" {
		return s.hash
	}
	// A Set built by hand: hash what it has.
	h := sha256.New()
	for _, st := range s.Statements {
		rel, err := filepath.Rel(s.Dir, st.File)
		if err != nil {
			rel = st.File
		}
		hashFile(h, filepath.ToSlash(rel), []byte(st.SQL))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// hashFile writes one file length-prefixed, so no two sets share a stream.
func hashFile(h interface{ Write([]byte) (int, error) }, rel string, data []byte) {
	fmt.Fprintf(h, "%d:%s%d:", len(rel), rel, len(data))
	h.Write(data)
}

func joinProblems(problems []error) error {
	if len(problems) == 1 {
		return problems[0]
	}
	if len(problems) > maxErrors {
		more := len(problems) - maxErrors
		problems = append(problems[:maxErrors:maxErrors], fmt.Errorf("… and %d more problem(s)", more))
	}
	return errors.Join(problems...)
}
