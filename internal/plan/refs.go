package plan

import (
	"strings"
	"unicode/utf8"

	"github.com/pg-flux/pg-flux/internal/model"
)

// The planner reads names out of PostgreSQL's deparsed definitions only to
// be conservative where pg_depend is silent (a view inspected without
// dependency rows, a definition that spells a type being recreated) and to
// learn the columns of a foreign key. The deparsers quote every identifier
// that needs it and qualify every name, so a small tokenizer is exact
// enough: a false match only makes the plan recreate an object it could
// have left alone.

// nameChains returns the dotted identifier chains of SQL text, unquoted:
// `public.users u JOIN "Sales"."Order"` gives [public users] [u] [JOIN]
// [Sales Order]. String literals and numbers are skipped.
func nameChains(sql string) [][]string {
	var (
		out   [][]string
		chain []string
	)
	flush := func() {
		if len(chain) > 0 {
			out = append(out, chain)
			chain = nil
		}
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			flush()
			i = skipLiteral(sql, i)
		case c == '"':
			name, next := quotedIdent(sql, i)
			chain = append(chain, name)
			i = next
			if i < len(sql) && sql[i] == '.' {
				i++
				continue
			}
			flush()
		case isIdentStart(sql, i):
			j := i
			for j < len(sql) && isIdentChar(sql, j) {
				j++
			}
			chain = append(chain, sql[i:j])
			i = j
			if i < len(sql) && sql[i] == '.' {
				i++
				continue
			}
			flush()
		case c >= '0' && c <= '9':
			flush()
			for i < len(sql) && (isIdentChar(sql, i) || sql[i] == '.') {
				i++
			}
		default:
			flush()
			i++
		}
	}
	flush()
	return out
}

// skipLiteral returns the index after the string literal starting at i.
func skipLiteral(sql string, i int) int {
	escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e')
	for i++; i < len(sql); i++ {
		switch {
		case escapes && sql[i] == '\\':
			i++
		case sql[i] == '\'':
			if i+1 < len(sql) && sql[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return i
}

// quotedIdent reads the quoted identifier starting at i.
func quotedIdent(sql string, i int) (string, int) {
	var b strings.Builder
	for i++; i < len(sql); i++ {
		if sql[i] == '"' {
			if i+1 < len(sql) && sql[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			return b.String(), i + 1
		}
		b.WriteByte(sql[i])
	}
	return b.String(), i
}

func isIdentStart(s string, i int) bool {
	c := s[i]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= utf8.RuneSelf
}

func isIdentChar(s string, i int) bool {
	c := s[i]
	return isIdentStart(s, i) || (c >= '0' && c <= '9') || c == '$'
}

// mentionsName reports whether SQL text spells the qualified name.
func mentionsName(sql string, name model.QName) bool {
	for _, ch := range nameChains(sql) {
		for i := 0; i+1 < len(ch); i++ {
			if ch[i] == name.Schema && ch[i+1] == name.Name {
				return true
			}
		}
	}
	return false
}

// mentionsIdent reports whether SQL text spells the identifier anywhere
// (alone or as part of a qualified name).
func mentionsIdent(sql, ident string) bool {
	for _, ch := range nameChains(sql) {
		for _, p := range ch {
			if p == ident {
				return true
			}
		}
	}
	return false
}

// foreignKey is what the planner needs to know of a FOREIGN KEY definition.
type foreignKey struct {
	Columns    []string
	References model.QName
	RefColumns []string
}

// parseForeignKey reads pg_get_constraintdef of a foreign key:
// FOREIGN KEY (a, b) REFERENCES public.t(x, y) …
func parseForeignKey(def string) (foreignKey, bool) {
	var fk foreignKey
	p := &defParser{s: def}
	if !p.keyword("FOREIGN KEY") {
		return fk, false
	}
	var ok bool
	if fk.Columns, ok = p.identList(); !ok {
		return fk, false
	}
	if !p.keyword("REFERENCES") {
		return fk, false
	}
	first, ok := p.ident()
	if !ok {
		return fk, false
	}
	if p.peek('.') {
		p.i++
		second, ok := p.ident()
		if !ok {
			return fk, false
		}
		fk.References = model.QName{Schema: first, Name: second}
	} else {
		fk.References = model.QName{Name: first}
	}
	if fk.RefColumns, ok = p.identList(); !ok {
		return fk, false
	}
	return fk, true
}

type defParser struct {
	s string
	i int
}

func (p *defParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *defParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *defParser) keyword(k string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], k) {
		p.i += len(k)
		return true
	}
	return false
}

func (p *defParser) ident() (string, bool) {
	p.space()
	if p.i >= len(p.s) {
		return "", false
	}
	if p.s[p.i] == '"' {
		name, next := quotedIdent(p.s, p.i)
		p.i = next
		return name, true
	}
	if !isIdentStart(p.s, p.i) {
		return "", false
	}
	j := p.i
	for j < len(p.s) && isIdentChar(p.s, j) {
		j++
	}
	name := p.s[p.i:j]
	p.i = j
	return name, true
}

// identList reads "(a, b, …)".
func (p *defParser) identList() ([]string, bool) {
	if !p.peek('(') {
		return nil, false
	}
	p.i++
	var out []string
	for {
		name, ok := p.ident()
		if !ok {
			return nil, false
		}
		out = append(out, name)
		switch {
		case p.peek(','):
			p.i++
		case p.peek(')'):
			p.i++
			return out, true
		default:
			return nil, false
		}
	}
}
