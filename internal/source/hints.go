package source

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Hint is a `-- @<name> <args>` comment in a source file, attached to the
// object it stands beside: a column (on the column's line or the line
// before it), an enum value (likewise), or the object a CREATE TABLE / VIEW
// / MATERIALIZED VIEW / INDEX / TYPE / DOMAIN / SEQUENCE / FUNCTION /
// PROCEDURE statement makes (on the line before the statement, or at the
// end of its first line).
type Hint struct {
	Name string // "renamed", "using"
	// Value is the rest of the comment after the name, trimmed.
	Value string
	// Params are the key=value arguments of hints that take them
	// (@renamed: "from"), names folded as PostgreSQL folds identifiers.
	Params map[string]string
	File   string
	Line   int
	Target HintTarget
}

// HintTarget is the object a hint is attached to.
type HintTarget struct {
	// Kind is "table", "view", "materialized view", "index", "type",
	// "domain", "sequence", "function", "procedure", "column" or
	// "enum value".
	Kind string
	// Schema is the schema as written; "" when the name is unqualified.
	Schema string
	// Name is the object's name; for a column the table's, for an enum
	// value the type's.
	Name   string
	Column string // for "column"
	Value  string // for "enum value"
}

// Where is "file:line", for messages.
func (h Hint) Where() string { return fmt.Sprintf("%s:%d", h.File, h.Line) }

// hintSyntax parses the text after a hint's name into its parameters.
type hintSyntax func(value string) (map[string]string, error)

// hintSyntaxes are the hints pg-flux reads; a comment naming any other
// `@word` is an ordinary comment. Adding a hint is one line here.
var hintSyntaxes = map[string]hintSyntax{
	"renamed": keyValues("from"), // -- @renamed from=old_name
	"using":   restOfComment,     // -- @using <expression>
}

// hintMarker finds files that may hold hints, so files without any are
// not scanned twice.
var hintMarker = regexp.MustCompile(`--[ \t]*@[A-Za-z_]`)

var hintComment = regexp.MustCompile(`^--[ \t]*@([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]+(.*))?$`)

// restOfComment keeps the text as the hint's Value only.
func restOfComment(value string) (map[string]string, error) {
	if value == "" {
		return nil, fmt.Errorf("needs a value after the hint name")
	}
	return nil, nil
}

// keyValues parses `key=value …` with the given keys required; a value is
// an identifier, folded to lower case unless double-quoted.
func keyValues(required ...string) hintSyntax {
	return func(value string) (map[string]string, error) { return parseKeyValues(value, true, required) }
}

// parseKeyValues parses `key=value …`; fold lowers an unquoted value, as
// PostgreSQL folds an identifier. An enum value's hint does not fold: a
// label is a string, compared as written ('PG-13').
func parseKeyValues(value string, fold bool, required []string) (map[string]string, error) {
	params := map[string]string{}
	rest := strings.TrimSpace(value)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("expected key=value, got %q", rest)
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			var b strings.Builder
			for ; end < len(rest); end++ {
				if rest[end] == '"' {
					if end+1 < len(rest) && rest[end+1] == '"' {
						b.WriteByte('"')
						end++
						continue
					}
					break
				}
				b.WriteByte(rest[end])
			}
			if end >= len(rest) {
				return nil, fmt.Errorf("unterminated quoted name in %q", value)
			}
			v, rest = b.String(), rest[end+1:]
		} else {
			end := strings.IndexAny(rest, " \t")
			if end < 0 {
				end = len(rest)
			}
			v, rest = rest[:end], rest[end:]
			if fold {
				v = strings.ToLower(v)
			}
		}
		if v == "" {
			return nil, fmt.Errorf("%s= needs a name", key)
		}
		params[key] = v
		rest = strings.TrimLeft(rest, " \t")
	}
	for _, k := range required {
		if _, ok := params[k]; !ok {
			return nil, fmt.Errorf("needs %s=<name>", k)
		}
	}
	return params, nil
}

// anchor is a place a hint can attach to: the byte offset of the object's
// first token and its line.
type anchor struct {
	pos, line int
	target    HintTarget
	statement bool // the whole statement (object hints), not a column or value
}

// ParseHints finds the hints of one SQL file. A known hint that is
// malformed or stands beside nothing it can attach to is an *Error naming
// file:line.
func ParseHints(file, sql string) ([]Hint, error) {
	sql = strings.TrimPrefix(sql, "\ufeff")
	if !hintMarker.MatchString(sql) {
		return nil, nil
	}
	sr, err := pg_query.Scan(sql)
	if err != nil {
		return nil, &Error{File: file, Line: 1, Msg: err.Error()}
	}
	tree, err := pg_query.Parse(sql)
	if err != nil {
		// Statements only PostgreSQL 18 parses have no anchors: a hint
		// beside one is reported as beside nothing.
		masked, ok := maskUnparsed(file, sql, sr.Tokens)
		if !ok {
			return nil, parseError(file, sql, sr.Tokens, err)
		}
		tree = masked
	}
	lines := newLineIndex(sql)
	anchors := hintAnchors(sql, lines, sr.Tokens, tree)
	byPos := map[int]anchor{}
	for _, a := range anchors {
		byPos[a.pos] = a
	}

	var hints []Hint
	var problems []error
	toks := sr.Tokens
	for i, t := range toks {
		if t.Token != pg_query.Token_SQL_COMMENT {
			continue
		}
		m := hintComment.FindStringSubmatch(strings.TrimRight(sql[t.Start:t.End], " \t\r"))
		if m == nil {
			continue
		}
		name, value := m[1], strings.TrimSpace(m[2])
		syntax, known := hintSyntaxes[name]
		if !known {
			continue
		}
		line := lines.at(int(t.Start))
		params, err := syntax(value)
		if err != nil {
			problems = append(problems, &Error{File: file, Line: line, Msg: fmt.Sprintf("hint @%s: %v", name, err)})
			continue
		}
		a, ok := attach(lines, toks, i, line, anchors, byPos)
		if !ok {
			problems = append(problems, &Error{File: file, Line: line, Msg: fmt.Sprintf("hint @%s is not beside a column, an enum value or a CREATE TABLE/VIEW/INDEX/TYPE/SEQUENCE/FUNCTION: put it at the end of the column's line or on the line before the object", name)})
			continue
		}
		if a.target.Kind == "enum value" && name == "renamed" {
			// Parsed again as written: it parsed above, folded.
			params, _ = parseKeyValues(value, false, []string{"from"})
		}
		hints = append(hints, Hint{Name: name, Value: value, Params: params, File: file, Line: line, Target: a.target})
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	return hints, nil
}

// attach finds the anchor of the hint comment toks[i]: at the end of a
// line, the last column or enum value that starts on that line before the
// comment (else the statement that starts on it); alone on its line, the
// object whose first token is the next token that is not a comment.
func attach(lines lineIndex, toks []*pg_query.ScanToken, i, line int, anchors []anchor, byPos map[int]anchor) (anchor, bool) {
	trailing := i > 0 && toks[i-1].Token != pg_query.Token_SQL_COMMENT && toks[i-1].Token != pg_query.Token_C_COMMENT &&
		lines.at(int(toks[i-1].End)) == line
	if trailing {
		var best, stmt anchor
		found, foundStmt := false, false
		for _, a := range anchors {
			if a.line != line || a.pos >= int(toks[i].Start) {
				continue
			}
			if a.statement {
				stmt, foundStmt = a, true
				continue
			}
			if !found || a.pos > best.pos {
				best, found = a, true
			}
		}
		if found {
			return best, true
		}
		return stmt, foundStmt
	}
	for j := i + 1; j < len(toks); j++ {
		if toks[j].Token == pg_query.Token_SQL_COMMENT || toks[j].Token == pg_query.Token_C_COMMENT {
			continue
		}
		a, ok := byPos[int(toks[j].Start)]
		return a, ok
	}
	return anchor{}, false
}

// hintAnchors lists the objects of the file a hint can attach to.
func hintAnchors(sql string, lines lineIndex, toks []*pg_query.ScanToken, tree *pg_query.ParseResult) []anchor {
	var out []anchor
	add := func(pos int, t HintTarget, statement bool) {
		out = append(out, anchor{pos: pos, line: lines.at(pos), target: t, statement: statement})
	}
	for _, raw := range tree.Stmts {
		start := int(raw.StmtLocation)
		end := len(sql)
		if raw.StmtLen > 0 {
			end = start + int(raw.StmtLen)
		}
		first, _ := tokenSpan(toks, start, end)
		if first < 0 {
			continue
		}
		switch s := raw.Stmt.GetNode().(type) {
		case *pg_query.Node_CreateStmt:
			rel := s.CreateStmt.Relation
			add(first, HintTarget{Kind: "table", Schema: rel.GetSchemaname(), Name: rel.GetRelname()}, true)
			for _, e := range s.CreateStmt.TableElts {
				if c := e.GetColumnDef(); c != nil {
					add(int(c.Location), HintTarget{Kind: "column", Schema: rel.GetSchemaname(), Name: rel.GetRelname(), Column: c.Colname}, false)
				}
			}
		case *pg_query.Node_ViewStmt:
			v := s.ViewStmt.View
			add(first, HintTarget{Kind: "view", Schema: v.GetSchemaname(), Name: v.GetRelname()}, true)
		case *pg_query.Node_CreateTableAsStmt:
			if s.CreateTableAsStmt.Objtype == pg_query.ObjectType_OBJECT_MATVIEW {
				rel := s.CreateTableAsStmt.GetInto().GetRel()
				add(first, HintTarget{Kind: "materialized view", Schema: rel.GetSchemaname(), Name: rel.GetRelname()}, true)
			}
		case *pg_query.Node_IndexStmt:
			add(first, HintTarget{Kind: "index", Schema: s.IndexStmt.GetRelation().GetSchemaname(), Name: s.IndexStmt.Idxname}, true)
		case *pg_query.Node_CreateSeqStmt:
			q := s.CreateSeqStmt.Sequence
			add(first, HintTarget{Kind: "sequence", Schema: q.GetSchemaname(), Name: q.GetRelname()}, true)
		case *pg_query.Node_CompositeTypeStmt:
			tv := s.CompositeTypeStmt.Typevar
			add(first, HintTarget{Kind: "type", Schema: tv.GetSchemaname(), Name: tv.GetRelname()}, true)
		case *pg_query.Node_CreateRangeStmt:
			sch, name := qualified(s.CreateRangeStmt.TypeName)
			add(first, HintTarget{Kind: "type", Schema: sch, Name: name}, true)
		case *pg_query.Node_CreateDomainStmt:
			sch, name := qualified(s.CreateDomainStmt.Domainname)
			add(first, HintTarget{Kind: "domain", Schema: sch, Name: name}, true)
		case *pg_query.Node_CreateFunctionStmt:
			sch, name := qualified(s.CreateFunctionStmt.Funcname)
			kind := "function"
			if s.CreateFunctionStmt.IsProcedure {
				kind = "procedure"
			}
			add(first, HintTarget{Kind: kind, Schema: sch, Name: name}, true)
		case *pg_query.Node_CreateEnumStmt:
			sch, name := qualified(s.CreateEnumStmt.TypeName)
			add(first, HintTarget{Kind: "type", Schema: sch, Name: name}, true)
			// The values are the string constants of the statement, in order.
			for _, t := range toks {
				if int(t.Start) < first || int(t.End) > end {
					continue
				}
				if t.Token == pg_query.Token_SCONST {
					add(int(t.Start), HintTarget{Kind: "enum value", Schema: sch, Name: name, Value: unquoteLiteral(sql[t.Start:t.End])}, false)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// qualified splits a name list ([schema,] name) of String nodes.
func qualified(names []*pg_query.Node) (schema, name string) {
	var parts []string
	for _, n := range names {
		parts = append(parts, n.GetString_().GetSval())
	}
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// unquoteLiteral returns the text of a string literal: quotes removed,
// doubled quotes undone, and in E-strings \\' and \\\\ undone (enum labels
// are plain literals; other escapes are kept as written).
func unquoteLiteral(s string) string {
	escape := false
	if len(s) > 0 && (s[0] == 'E' || s[0] == 'e') {
		escape, s = true, s[1:]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "'"), "'")
	s = strings.ReplaceAll(s, "''", "'")
	if escape {
		s = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s)
	}
	return s
}
