package source

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// parsed is one statement with its syntax tree, for the checks that need
// more than the node type.
type parsed struct {
	Statement
	node  *pg_query.Node
	start int // byte offset of the statement in its file (unparsed ones)
}

// Split splits SQL text into statements with PostgreSQL's own parser. Each
// statement keeps its exact source text (from its first token to its last,
// without the terminating semicolon or surrounding comments) and the line of
// its first token. A file that does not parse, or that contains psql
// meta-commands (\connect, \restrict, …), gives an *Error naming the line.
func Split(file, sql string) ([]Statement, error) {
	return SplitFor(file, sql, 0)
}

// SplitFor is Split for a server of the given major (0: unknown): from
// FallbackMajor, statements the parser rejects are kept unparsed when
// their leading keywords allow it (see fallbackKind); before it, they are
// the parse error Split reports.
func SplitFor(file, sql string, major int) ([]Statement, error) {
	ps, err := split(file, sql)
	if err != nil {
		return nil, err
	}
	if major < FallbackMajor {
		for _, p := range ps {
			if p.Unparsed {
				return nil, p.parseErr
			}
		}
	}
	out := make([]Statement, len(ps))
	for i, p := range ps {
		out[i] = p.Statement
	}
	return out, nil
}

// WarmParser does the SQL parser's one-time setup: the first statement
// parsed in a process pays 15–40 ms to build the parse tree's protobuf
// descriptors. A command that will parse (to classify a plan, say) calls
// it in the background while it waits for the database.
func WarmParser() {
	_, _ = pg_query.Parse("SELECT 1")
}

func split(file, sql string) ([]parsed, error) {
	out, _, err := splitEach(file, sql, nil)
	return out, err
}

// pieceBytes is about how much SQL one piece of a large file holds
// (splitEach): its parse takes a few milliseconds.
const pieceBytes = 32 << 10

// splitEach is split that, for a large file, also hands the statements to
// each (when not nil) as they are parsed: the file is cut where the parser
// ends its statements (found without building syntax trees) and parsed a
// piece at a time, so that what runs the statements can begin before the
// whole file is parsed. pieces reports that each was given every
// statement, in order; else the file was parsed whole, and each may have
// been given some of them first (a piece that did not parse as it should,
// which the parser's split rules out).
func splitEach(file, sql string, each func([]parsed)) (out []parsed, pieces bool, err error) {
	// Editors on Windows start files with a byte order mark; PostgreSQL's
	// parser takes it for a stray character. Lines do not move.
	sql = strings.TrimPrefix(sql, "\ufeff")
	// pg_query reads a C string: a NUL byte would silently end the input.
	if i := strings.IndexByte(sql, 0); i >= 0 {
		return nil, false, &Error{File: file, Line: lineAt(sql, i), Msg: "the file contains a NUL byte; SQL files must be plain text"}
	}
	if !utf8.ValidString(sql) {
		return nil, false, &Error{File: file, Line: lineAt(sql, firstInvalidUTF8(sql)), Msg: "the file is not valid UTF-8; save it as UTF-8"}
	}
	if each != nil {
		if out, ok := splitPieces(file, sql, pieceBytes, each); ok {
			return out, true, nil
		}
	}
	out, err = splitWhole(file, sql)
	return out, false, err
}

// splitPieces parses sql a piece of about size bytes at a time (see
// splitEach); ok is false when it is not cut, or a piece does not parse
// cleanly. The statements it returns have no syntax trees (node is nil):
// each had them, and a file's trees take many times its text (8.5 MB for
// the 344 kB of a 1,000-table schema), which would otherwise all stay in
// memory until the whole file was parsed.
func splitPieces(file, sql string, size int, each func([]parsed)) (out []parsed, ok bool) {
	cuts := pieceCuts(sql, size)
	if cuts == nil {
		return nil, false
	}
	lines := newLineIndex(sql)
	for i := 0; i+1 < len(cuts); i++ {
		base, limit := cuts[i], cuts[i+1]
		piece := sql[base:limit]
		sr, err := pg_query.Scan(piece)
		if err != nil {
			return nil, false
		}
		tree, err := pg_query.Parse(piece)
		if err != nil {
			return nil, false
		}
		for _, t := range sr.Tokens { // positions in the file
			t.Start += int32(base)
			t.End += int32(base)
		}
		if metaCommand(file, sql, sr.Tokens) != nil {
			return nil, false
		}
		n := len(out)
		out = appendParsed(out, file, sql, lines, base, limit, sr.Tokens, tree)
		each(out[n:])
		for j := n; j < len(out); j++ {
			out[j].node = nil
		}
	}
	return out, true
}

// pieceCuts returns the offsets at which sql is cut into pieces of about
// size bytes, each ending with a whole statement (the first is 0, the last
// len(sql)), or nil when sql is one piece or the parser's split cannot be
// placed in it.
func pieceCuts(sql string, size int) []int {
	if len(sql) < 2*size {
		return nil
	}
	// Each statement's text runs from just after the semicolon that ends
	// the one before (empty statements aside) to its own semicolon.
	stmts, err := pg_query.SplitWithParser(sql, false)
	if err != nil || len(stmts) < 2 {
		return nil
	}
	cuts := []int{0}
	pos := 0
	for _, s := range stmts {
		start := pos
		for !strings.HasPrefix(sql[start:], s) {
			if start == len(sql) || strings.IndexByte("; \t\n\r\f\v", sql[start]) < 0 {
				return nil
			}
			start++
		}
		if start-cuts[len(cuts)-1] >= size {
			cuts = append(cuts, start)
		}
		pos = start + len(s)
	}
	if len(cuts) == 1 {
		return nil
	}
	return append(cuts, len(sql))
}

// splitWhole is split for text already checked to be UTF-8 without NUL
// bytes: the whole file parsed at once.
func splitWhole(file, sql string) ([]parsed, error) {
	// The scan and the parse are independent: on a large file the scan
	// runs on another core meanwhile.
	var tokens []*pg_query.ScanToken
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		if sr, err := pg_query.Scan(sql); err == nil {
			tokens = sr.Tokens
		}
	}()
	tree, err := pg_query.Parse(sql)
	<-scanned
	if e := metaCommand(file, sql, tokens); e != nil {
		return nil, e
	}
	if err != nil {
		if tokens != nil {
			out, ferr := splitFallback(file, sql, tokens)
			if ferr == nil {
				return out, nil
			}
			// The error at the statement that has it (the file's first
			// error may be a statement the fallback accepts).
			return nil, ferr
		}
		return nil, parseError(file, sql, tokens, err)
	}
	return appendParsed(make([]parsed, 0, len(tree.Stmts)), file, sql, newLineIndex(sql), 0, len(sql), tokens, tree), nil
}

// tokenSpan returns the byte range from the first to the end of the last
// non-comment token within [start, end), or -1 when there is none.
func tokenSpan(tokens []*pg_query.ScanToken, start, end int) (int, int) {
	first, last := -1, -1
	// Tokens are in text order: find the first at or after start, so that
	// splitting a file costs the same per statement wherever it stands.
	from := sort.Search(len(tokens), func(i int) bool { return int(tokens[i].Start) >= start })
	for _, t := range tokens[from:] {
		s, e := int(t.Start), int(t.End)
		if e > end {
			break
		}
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT {
			continue
		}
		if first < 0 {
			first = s
		}
		last = e
	}
	return first, last
}

func trimSpan(sql string, start, end int) (int, int) {
	s := sql[start:end]
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return start, start
	}
	first := start + strings.Index(s, trimmed)
	last := first + len(strings.TrimRight(trimmed, "; \t\r\n"))
	return first, last
}

// metaCommand reports the first psql meta-command: a backslash that starts
// a line outside any string, identifier or comment.
func metaCommand(file, sql string, tokens []*pg_query.ScanToken) *Error {
	if tokens == nil {
		// The scanner failed (an unterminated string, often in COPY data):
		// look at the text itself, so a psql script still gets the clear
		// message rather than the scanner's.
		if loc := metaLine.FindStringIndex(sql); loc != nil {
			pos := loc[0] + strings.IndexByte(sql[loc[0]:loc[1]], '\\')
			return metaError(file, sql, pos)
		}
		return nil
	}
	for _, t := range tokens {
		if t.Token != pg_query.Token_ASCII_92 {
			continue
		}
		pos := int(t.Start)
		lineStart := strings.LastIndexByte(sql[:pos], '\n') + 1
		if strings.TrimSpace(sql[lineStart:pos]) != "" {
			continue
		}
		if strings.HasPrefix(sql[pos:], `\.`) {
			if copyAt := copyFromStdin(tokens, pos); copyAt >= 0 {
				return copyError(file, sql, copyAt)
			}
		}
		return metaError(file, sql, pos)
	}
	return nil
}

// metaLine matches a line that starts with a psql meta-command.
var metaLine = regexp.MustCompile(`(?m)^[ \t]*\\[A-Za-z.!?]`)

func metaError(file, sql string, pos int) *Error {
	cmd := sql[pos:]
	if i := strings.IndexAny(cmd, " \t\r\n"); i >= 0 {
		cmd = cmd[:i]
	}
	msg := fmt.Sprintf("psql meta-command %s is not SQL; remove it (pg-flux runs the SQL itself, not through psql)", cmd)
	if cmd == `\.` {
		msg = `psql meta-command \. (end of COPY data) is not SQL; remove the COPY … FROM stdin and its data (schema files declare structure only; put data changes in a migration)`
	}
	return &Error{File: file, Line: lineAt(sql, pos), Msg: msg}
}

// parseError turns a pg_query error into an *Error at the line of its
// cursor position. When the error follows a COPY … FROM stdin, the inline
// data is the real problem, so that is what it says.
func parseError(file, sql string, tokens []*pg_query.ScanToken, err error) *Error {
	msg := err.Error()
	pos := -1
	if pe, ok := err.(*parser.Error); ok && pe.Cursorpos > 0 {
		pos = charToByte(sql, pe.Cursorpos-1) // cursorpos counts characters from 1
	}
	if copyAt := copyFromStdin(tokens, pos); copyAt >= 0 {
		return copyError(file, sql, copyAt)
	}
	if pos < 0 {
		return &Error{File: file, Line: 1, Msg: msg}
	}
	return &Error{File: file, Line: lineAt(sql, pos), Msg: msg}
}

func copyError(file, sql string, copyAt int) *Error {
	return &Error{File: file, Line: lineAt(sql, copyAt), Msg: "COPY … FROM stdin with inline data is psql input, not SQL; remove it (schema files declare structure only; put data changes in a migration)"}
}

// copyFromStdin returns the offset of the last COPY … FROM STDIN statement
// that starts before pos (all of them when pos < 0), or -1.
func copyFromStdin(tokens []*pg_query.ScanToken, pos int) int {
	found, current := -1, -1
	stmtStart := true
	for _, t := range tokens {
		if pos >= 0 && int(t.Start) >= pos {
			break
		}
		switch t.Token {
		case pg_query.Token_SQL_COMMENT, pg_query.Token_C_COMMENT:
			continue
		case pg_query.Token_ASCII_59: // ;
			stmtStart, current = true, -1
			continue
		case pg_query.Token_COPY:
			if stmtStart {
				current = int(t.Start)
			}
		case pg_query.Token_STDIN:
			if current >= 0 {
				found = current
			}
		}
		stmtStart = false
	}
	return found
}

// nodeName is the statement's node type as pg_query names it: the Go type
// of the protobuf oneof without its "Node_" prefix ("CreateStmt").
func nodeName(n *pg_query.Node) string {
	if n == nil || n.Node == nil {
		return ""
	}
	t := reflect.TypeOf(n.Node)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimPrefix(t.Name(), "Node_")
}

// late reports whether a statement acts on what is created after it (see
// Statement.Late).
func late(n *pg_query.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_AlterDefaultPrivilegesStmt, *pg_query.Node_CreateEventTrigStmt, *pg_query.Node_AlterEventTrigStmt:
		return true
	case *pg_query.Node_CommentStmt:
		return s.CommentStmt.Objtype == pg_query.ObjectType_OBJECT_EVENT_TRIGGER
	case *pg_query.Node_AlterOwnerStmt:
		return s.AlterOwnerStmt.ObjectType == pg_query.ObjectType_OBJECT_EVENT_TRIGGER
	case *pg_query.Node_RenameStmt:
		return s.RenameStmt.RenameType == pg_query.ObjectType_OBJECT_EVENT_TRIGGER
	}
	return false
}

// noTransaction reports statements PostgreSQL refuses to run inside a
// transaction block.
func noTransaction(n *pg_query.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_IndexStmt:
		return s.IndexStmt.Concurrent
	case *pg_query.Node_DropStmt:
		return s.DropStmt.Concurrent
	case *pg_query.Node_ReindexStmt:
		for _, p := range s.ReindexStmt.Params {
			if d := p.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "concurrently") {
				return true
			}
		}
		return s.ReindexStmt.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_SYSTEM ||
			s.ReindexStmt.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_DATABASE
	case *pg_query.Node_VacuumStmt, *pg_query.Node_CreatedbStmt, *pg_query.Node_DropdbStmt,
		*pg_query.Node_AlterSystemStmt, *pg_query.Node_CreateTableSpaceStmt,
		*pg_query.Node_DropTableSpaceStmt, *pg_query.Node_CreateSubscriptionStmt,
		*pg_query.Node_DropSubscriptionStmt:
		return true
	case *pg_query.Node_ClusterStmt:
		return s.ClusterStmt.Relation == nil
	}
	return false
}

// transactionScoped reports statements whose effect may end with their
// transaction (see Statement.TransactionScoped). A SELECT counts unless
// each of its targets is set_config(…, false), as pg_dump writes: any
// other function, or is_local other than the constant false, may set
// something for the transaction only.
func transactionScoped(n *pg_query.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_VariableSetStmt:
		v := s.VariableSetStmt
		return v.IsLocal || v.Kind == pg_query.VariableSetKind_VAR_SET_MULTI && strings.HasPrefix(v.Name, "TRANSACTION")
	case *pg_query.Node_CreateStmt:
		return s.CreateStmt.GetRelation().GetRelpersistence() == "t"
	case *pg_query.Node_CreateTableAsStmt:
		return s.CreateTableAsStmt.GetInto().GetRel().GetRelpersistence() == "t"
	case *pg_query.Node_SelectStmt:
		for _, target := range s.SelectStmt.TargetList {
			call := target.GetResTarget().GetVal().GetFuncCall()
			if call == nil {
				return true
			}
			if len(call.Funcname) == 0 || call.Funcname[len(call.Funcname)-1].GetString_().GetSval() != "set_config" {
				return true
			}
			if len(call.Args) != 3 {
				return true
			}
			c := call.Args[2].GetAConst()
			if c == nil || c.GetBoolval() == nil || c.GetBoolval().GetBoolval() {
				return true
			}
		}
		return false
	case *pg_query.Node_DoStmt, *pg_query.Node_LockStmt, *pg_query.Node_ConstraintsSetStmt,
		*pg_query.Node_TransactionStmt, *pg_query.Node_DeclareCursorStmt, *pg_query.Node_NotifyStmt:
		return true
	}
	return false
}

// lineAt is the 1-based line of a byte offset.
func lineAt(sql string, off int) int {
	return 1 + strings.Count(sql[:clamp(off, len(sql))], "\n")
}

// lineIndex answers lineAt for many offsets of one text: counting from the
// start for each statement made splitting a large file quadratic.
type lineIndex []int // the offsets of the text's newlines

func newLineIndex(sql string) lineIndex {
	var nl lineIndex
	for i := strings.IndexByte(sql, '\n'); i >= 0; {
		nl = append(nl, i)
		j := strings.IndexByte(sql[i+1:], '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return nl
}

// at is lineAt(sql, off) for the text the index was made of.
func (x lineIndex) at(off int) int {
	return 1 + sort.SearchInts(x, off)
}

func clamp(i, n int) int {
	if i < 0 {
		return 0
	}
	if i > n {
		return n
	}
	return i
}

// charToByte converts a 0-based character index into a byte offset.
func charToByte(s string, chars int) int {
	n := 0
	for i := range s {
		if n == chars {
			return i
		}
		n++
	}
	return len(s)
}

func firstInvalidUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return i
			}
		}
	}
	return len(s)
}
