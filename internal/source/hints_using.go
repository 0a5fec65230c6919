package source

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// UsingHint is a "-- @using <expr>" comment beside a column of a CREATE
// TABLE: how the column's values convert when its type changes to one
// PostgreSQL has no cast to (`created_at timestamptz, -- @using
// to_timestamp(created_at / 1000)`). The comment is on the column's line,
// or on a line of its own just above it.
//
// The shape (hint name, target, argument, position) is meant to be read by
// one parser for every source hint; this one reads @using only.
type UsingHint struct {
	File string
	Line int
	// Schema is the table's schema as written, "" when unqualified.
	Schema, Table, Column string
	// Expr is the conversion: an expression over the column's old value.
	Expr string
}

const usingTag = "@using"

// UsingHints reads the @using hints of every CREATE TABLE in set.
func UsingHints(set *Set) ([]UsingHint, error) {
	var out []UsingHint
	for _, st := range set.Statements {
		if st.Node != "CreateStmt" || !strings.Contains(st.SQL, usingTag) {
			continue
		}
		hs, err := statementUsingHints(st)
		if err != nil {
			return nil, err
		}
		out = append(out, hs...)
	}
	return out, nil
}

func statementUsingHints(st Statement) ([]UsingHint, error) {
	tree, err := pg_query.Parse(st.SQL)
	if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetCreateStmt() == nil {
		return nil, nil // the loader reports what does not parse
	}
	rel := tree.Stmts[0].Stmt.GetCreateStmt().Relation
	lines := strings.Split(st.SQL, "\n")
	var out []UsingHint
	for i, line := range lines {
		code, comment, ok := strings.Cut(line, "--")
		if !ok {
			continue
		}
		comment = strings.TrimSpace(comment)
		expr, ok := strings.CutPrefix(comment, usingTag)
		if !ok || (expr != "" && expr[0] != ' ' && expr[0] != '\t') {
			continue
		}
		h := UsingHint{File: st.File, Line: st.Line + i, Schema: rel.Schemaname, Table: rel.Relname, Expr: strings.TrimSpace(expr)}
		if h.Expr == "" {
			return nil, fmt.Errorf("%s:%d: -- @using needs an expression: the column's new value in terms of its old one, e.g. -- @using to_timestamp(created_at / 1000)", h.File, h.Line)
		}
		for j := i + 1; strings.TrimSpace(code) == "" && j < len(lines); j++ {
			code, _, _ = strings.Cut(lines[j], "--")
		}
		if h.Column = leadingIdent(code); h.Column == "" {
			return nil, fmt.Errorf("%s:%d: -- @using is not beside a column: write it at the end of the column's line", h.File, h.Line)
		}
		out = append(out, h)
	}
	return out, nil
}

// leadingIdent is the first identifier of a column definition, as
// PostgreSQL names it: unquoted names fold to lower case.
func leadingIdent(code string) string {
	code = strings.TrimLeft(strings.TrimSpace(code), "(,")
	code = strings.TrimSpace(code)
	if strings.HasPrefix(code, `"`) {
		var b strings.Builder
		for i := 1; i < len(code); i++ {
			if code[i] == '"' {
				if i+1 < len(code) && code[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				return b.String()
			}
			b.WriteByte(code[i])
		}
		return ""
	}
	end := strings.IndexFunc(code, func(r rune) bool {
		return !(r == '_' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	})
	if end < 0 {
		end = len(code)
	}
	id := strings.ToLower(code[:end])
	switch id {
	case "", "constraint", "primary", "unique", "check", "foreign", "exclude", "like":
		return ""
	}
	return id
}
