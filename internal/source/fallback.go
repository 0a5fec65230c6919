package source

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// FallbackMajor is the first PostgreSQL major whose grammar is newer than
// the parser pg-flux links (PostgreSQL 17's): from it, a statement the
// parser rejects may still be source when its leading keywords make it one
// of the fallback kinds, and PostgreSQL itself parses it (the shadow runs
// it and reports its errors with file:line, as for any statement).
const FallbackMajor = 18

// mentionsTemp reports a TEMP or TEMPORARY keyword among toks: an
// unparsed CREATE TABLE may make a temporary table (Statement.
// TransactionScoped), and without its tree that is the sign.
func mentionsTemp(toks []*pg_query.ScanToken) bool {
	for _, t := range toks {
		if t.Token == pg_query.Token_TEMP || t.Token == pg_query.Token_TEMPORARY {
			return true
		}
	}
	return false
}

// fallbackKind returns the node type a statement the parser could not
// parse is taken to be, from its leading keywords alone: CREATE [GLOBAL |
// LOCAL] [TEMP | TEMPORARY | UNLOGGED] TABLE (not CREATE TABLE … AS, which
// runs a query), ALTER TABLE, ALTER DOMAIN, CREATE DOMAIN, COMMENT ON.
// These are the kinds PostgreSQL 18's new syntax (virtual generated
// columns, NOT ENFORCED, NOT NULL … NOT VALID / NO INHERIT) appears in;
// none of them can change data or run a query, so the security screen
// stays sound: the kind is fixed by the keywords, and the splitter makes
// the text one statement. "" when the statement is no such kind, or has
// none of the words of that new syntax (a plain typo in a CREATE TABLE is
// reported by the parser at once, not left for the server).
func fallbackKind(sql string, toks []*pg_query.ScanToken) string {
	var kw []pg_query.Token
	newSyntax := false
	for _, t := range toks {
		if t.Token != pg_query.Token_SQL_COMMENT && t.Token != pg_query.Token_C_COMMENT {
			kw = append(kw, t.Token)
			if int(t.End) <= len(sql) && pg18Words[strings.ToLower(sql[t.Start:t.End])] {
				newSyntax = true
			}
		}
	}
	if !newSyntax {
		return ""
	}
	at := func(i int, want ...pg_query.Token) bool {
		if i >= len(kw) {
			return false
		}
		for _, w := range want {
			if kw[i] == w {
				return true
			}
		}
		return false
	}
	switch {
	case at(0, pg_query.Token_ALTER) && at(1, pg_query.Token_TABLE):
		return "AlterTableStmt"
	case at(0, pg_query.Token_ALTER) && at(1, pg_query.Token_DOMAIN_P):
		return "AlterDomainStmt"
	case at(0, pg_query.Token_CREATE) && at(1, pg_query.Token_DOMAIN_P):
		return "CreateDomainStmt"
	case at(0, pg_query.Token_COMMENT) && at(1, pg_query.Token_ON):
		return "CommentStmt"
	case at(0, pg_query.Token_CREATE):
		i := 1
		if at(i, pg_query.Token_GLOBAL, pg_query.Token_LOCAL) {
			i++
		}
		if at(i, pg_query.Token_TEMP, pg_query.Token_TEMPORARY, pg_query.Token_UNLOGGED) {
			i++
		}
		if !at(i, pg_query.Token_TABLE) {
			return ""
		}
		// CREATE TABLE … AS / EXECUTE runs a query: an AS or EXECUTE
		// outside parentheses is refused (inside them, AS is a
		// generation expression's).
		depth := 0
		for _, t := range kw[i:] {
			switch t {
			case pg_query.Token_ASCII_40:
				depth++
			case pg_query.Token_ASCII_41:
				depth--
			case pg_query.Token_AS, pg_query.Token_EXECUTE:
				if depth == 0 {
					return ""
				}
			}
		}
		return "CreateStmt"
	}
	return ""
}

// pg18Words are the words PostgreSQL 18's new table and constraint syntax
// is written with (virtual generated columns, NOT ENFORCED, NOT NULL …
// NOT VALID / NO INHERIT constraints, WITHOUT OVERLAPS and PERIOD keys).
var pg18Words = map[string]bool{
	"virtual": true, "generated": true, "enforced": true, "valid": true,
	"inherit": true, "overlaps": true, "period": true,
}

// splitFallback splits text the parser rejected into statements at the
// semicolons outside parentheses (the scanner keeps strings, quoted
// identifiers and dollar-quoted bodies whole). Each piece the parser
// accepts is taken as parsed; a piece it rejects is taken unparsed when
// fallbackKind knows it; any other piece is joined with the next ones
// until they parse together (a BEGIN ATOMIC body's semicolons). It fails,
// with the parser's error at the statement's line, when a piece neither
// parses nor is a fallback kind.
func splitFallback(file, sql string, tokens []*pg_query.ScanToken) ([]parsed, error) {
	// Pieces: token index ranges between top-level semicolons.
	type piece struct{ from, to int } // tokens[from:to]
	var pieces []piece
	depth, from := 0, 0
	for i, t := range tokens {
		switch t.Token {
		case pg_query.Token_ASCII_40:
			depth++
		case pg_query.Token_ASCII_41:
			depth--
		case pg_query.Token_ASCII_59:
			if depth <= 0 {
				pieces = append(pieces, piece{from, i})
				from, depth = i+1, 0
			}
		}
	}
	pieces = append(pieces, piece{from, len(tokens)})

	var out []parsed
	lines := newLineIndex(sql)
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		first, last := tokenSpan(tokens[p.from:p.to], 0, len(sql))
		if first < 0 {
			continue // only comments
		}
		text := sql[first:last]
		tree, perr := pg_query.Parse(text)
		if perr == nil {
			out = appendParsed(out, file, sql, lines, first, last, tokens, tree)
			continue
		}
		if kind := fallbackKind(sql, tokens[p.from:p.to]); kind != "" {
			out = append(out, parsed{Statement: Statement{
				File: file, Line: lines.at(first), SQL: text, Node: kind,
				Unparsed: true, parseErr: parseErrorAt(file, sql, first, last, tokens, perr),
				TransactionScoped: mentionsTemp(tokens[p.from:p.to]),
			}, start: first})
			continue
		}
		joined := false
		for j := i + 1; j < len(pieces) && !joined; j++ {
			_, end := tokenSpan(tokens[pieces[j].from:pieces[j].to], 0, len(sql))
			if end < 0 {
				continue
			}
			if tree, err := pg_query.Parse(sql[first:end]); err == nil {
				out = appendParsed(out, file, sql, lines, first, end, tokens, tree)
				i, joined = j, true
			}
		}
		if !joined {
			return nil, parseErrorAt(file, sql, first, last, tokens, perr)
		}
	}
	return out, nil
}

// appendParsed adds the statements of a tree parsed from the text at
// sql[base:limit] (the last statement has no length: it ends at limit),
// each with its exact text and line (lines is sql's index).
func appendParsed(out []parsed, file, sql string, lines lineIndex, base, limit int, tokens []*pg_query.ScanToken, tree *pg_query.ParseResult) []parsed {
	for _, raw := range tree.Stmts {
		start := clamp(base+int(raw.StmtLocation), limit)
		end := limit
		if raw.StmtLen > 0 {
			end = clamp(start+int(raw.StmtLen), limit)
		}
		first, last := tokenSpan(tokens, start, end)
		if first < 0 {
			// No scanner tokens (cannot happen for text that parsed, but
			// stay correct): fall back to trimming whitespace.
			first, last = trimSpan(sql, start, end)
		}
		out = append(out, parsed{
			Statement: Statement{
				File: file, Line: lines.at(first), SQL: sql[first:last], Node: nodeName(raw.Stmt),
				NoTransaction: noTransaction(raw.Stmt), Late: late(raw.Stmt), TransactionScoped: transactionScoped(raw.Stmt),
			},
			node: raw.Stmt,
		})
	}
	return out
}

// parseErrorAt reports the parser's error for the statement at
// sql[first:last], at the line of the error within the file: the text
// around the statement is blanked (newlines kept) so that the parser's
// position is the file's.
func parseErrorAt(file, sql string, first, last int, tokens []*pg_query.ScanToken, err error) *Error {
	b := []byte(sql)
	for k := range b {
		if (k < first || k >= last) && b[k] != '\n' {
			b[k] = ' '
		}
	}
	masked := string(b)
	if _, perr := pg_query.Parse(masked); perr != nil {
		e := parseError(file, masked, nil, perr)
		if copyAt := copyFromStdin(tokens, -1); copyAt >= 0 && copyAt < last {
			return copyError(file, sql, copyAt)
		}
		return e
	}
	return &Error{File: file, Line: lineAt(sql, first), Msg: err.Error()}
}

// CheckMajor refuses the statements the parser could not parse when the
// server they are for is older than FallbackMajor: there, their syntax is
// an error as it always was, reported with the parser's message at
// file:line. major 0 (unknown) refuses them too.
func CheckMajor(stmts []Statement, major int) error {
	if major >= FallbackMajor {
		return nil
	}
	var problems []error
	for _, st := range stmts {
		if st.Unparsed {
			problems = append(problems, st.parseErr)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return joinProblems(problems)
}

// CheckMajor is CheckMajor of the set's statements.
func (s *Set) CheckMajor(major int) error {
	return CheckMajor(s.Statements, major)
}

// TokenStream is the statement as the scanner reads it, for comparing
// statements the parser cannot parse: the tokens' text joined by single
// spaces, comments left out, keywords and unquoted names lower-cased, so that layout,
// comments and keyword case do not count.
func TokenStream(sql string) (string, error) {
	sr, err := pg_query.Scan(sql)
	if err != nil {
		return "", fmt.Errorf("scan: %w", err)
	}
	var b strings.Builder
	for _, t := range sr.Tokens {
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT || t.Token == pg_query.Token_ASCII_59 {
			continue
		}
		s := sql[t.Start:t.End]
		if t.KeywordKind != pg_query.KeywordKind_NO_KEYWORD || (t.Token == pg_query.Token_IDENT && !strings.HasPrefix(s, `"`)) {
			s = strings.ToLower(s) // as PostgreSQL folds them
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// maskUnparsed parses sql with the statements the parser cannot parse
// blanked out (newlines kept, so positions stay the file's), for what
// needs the tree of the rest (hint anchors). ok is false when the text
// does not split with the fallback either.
func maskUnparsed(file, sql string, tokens []*pg_query.ScanToken) (*pg_query.ParseResult, bool) {
	ps, err := splitFallback(file, sql, tokens)
	if err != nil {
		return nil, false
	}
	b := []byte(sql)
	for _, p := range ps {
		if !p.Unparsed {
			continue
		}
		for k := p.start; k < p.start+len(p.SQL); k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	}
	tree, err := pg_query.Parse(string(b))
	return tree, err == nil
}

// Unparsed reports, for one statement pg-flux wrote itself (a plan step),
// whether it is PostgreSQL 18 syntax the parser cannot read, and the kind
// its leading keywords give it, so that it is handled as such a statement
// of a file is (Statement.Unparsed).
func Unparsed(sql string) (node string, ok bool) {
	if _, err := pg_query.Parse(sql); err == nil {
		return "", false
	}
	sr, err := pg_query.Scan(sql)
	if err != nil {
		return "", false
	}
	node = fallbackKind(sql, sr.Tokens)
	return node, node != ""
}
