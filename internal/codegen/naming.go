package codegen

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/pg-flux/pg-flux/internal/model"
)

// words splits a PostgreSQL name into ASCII words for case conversion:
// at every character that is not a letter or digit and at lower-to-upper
// case changes. Letters with diacritics lose them (é → e); any other
// non-ASCII character becomes a word of its own, u + its code point in hex,
// so every name gives a legal identifier in every language and distinct
// names stay distinct.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if len(cur) > 0 && unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
				flush()
			}
			cur = append(cur, r)
		case r >= 128:
			flush()
			out = append(out, fmt.Sprintf("u%04x", r))
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}

// pascal returns the name in PascalCase ("order_lines" → "OrderLines").
// initialisms, when set, are written in upper case ("user_id" → "UserID").
func pascal(name string, initialisms bool) string {
	var b strings.Builder
	for _, w := range words(name) {
		lw := strings.ToLower(w)
		if initialisms && goInitialisms[lw] {
			b.WriteString(strings.ToUpper(lw))
			continue
		}
		b.WriteString(strings.ToUpper(lw[:1]) + lw[1:])
	}
	s := b.String()
	if s == "" {
		s = "X"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "X" + s
	}
	return s
}

// snake returns the name in snake_case ("OrderLines" → "order_lines").
func snake(name string) string {
	ws := words(name)
	for i := range ws {
		ws[i] = strings.ToLower(ws[i])
	}
	s := strings.Join(ws, "_")
	if s == "" {
		s = "x"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "x" + s
	}
	return s
}

// isASCIIIdent reports whether s is [A-Za-z_][A-Za-z0-9_]*.
func isASCIIIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// namer hands out unique identifiers within one scope: a name taken
// already gets the smallest free numeric suffix. Reserved names are never
// handed out.
type namer struct {
	taken map[string]bool
}

func newNamer(reserved ...map[string]bool) *namer {
	n := &namer{taken: map[string]bool{}}
	for _, r := range reserved {
		for k := range r {
			n.taken[k] = true
		}
	}
	return n
}

// claim returns base, or base2, base3, … so that base+s is free for every
// suffix in suffixes (the derived names of one object: Row, Insert, …),
// and takes them all.
func (n *namer) claim(base string, suffixes ...string) string {
	if len(suffixes) == 0 {
		suffixes = []string{""}
	}
	for i := 1; ; i++ {
		cand := base
		if i > 1 {
			cand = fmt.Sprintf("%s%d", base, i)
		}
		free := true
		for _, s := range suffixes {
			if n.taken[cand+s] {
				free = false
				break
			}
		}
		if free {
			for _, s := range suffixes {
				n.taken[cand+s] = true
			}
			return cand
		}
	}
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var goInitialisms = set("id", "url", "uri", "uuid", "json", "api", "http", "https", "sql", "ip", "html", "xml", "utc", "db")

var goKeywords = set("break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
	"func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
	"switch", "type", "var")

// typeName returns the identifier base of a schema object: the name, prefixed
// with its schema unless the schema is public.
func objectBase(schema, name string) string {
	if schema == "public" {
		return name
	}
	return schema + "_" + name
}

// claimTypeNames claims the type name of every object of s (tables with
// tableSuffixes, functions with fnSuffixes) so that a name clash is
// resolved the same way in every run; initialisms as pascal takes them.
// Objects claim in the order of their names as converted, so a name
// claims before every name it is a prefix of: users keeps Users and its
// UsersUpdate, and a table "UsersUpdate" beside it, which sorts first as
// written, is the one that gets a suffix. Between equal names, tables come
// first, then views, composites, enums, domains and functions, each in
// the spec's order.
func claimTypeNames(s *Spec, n *namer, initialisms bool, tableSuffixes, fnSuffixes []string) (map[model.QName]string, []string) {
	type claim struct {
		base     string
		suffixes []string
		set      func(string)
	}
	var claims []claim
	names := map[model.QName]string{}
	base := func(q model.QName) string { return pascal(objectBase(q.Schema, q.Name), initialisms) }
	add := func(q model.QName, suffixes []string) {
		claims = append(claims, claim{base(q), suffixes, func(v string) { names[q] = v }})
	}
	for _, r := range s.Tables {
		add(r.Name, tableSuffixes)
	}
	for _, r := range s.Views {
		add(r.Name, nil)
	}
	for _, r := range s.Composites {
		add(r.Name, nil)
	}
	for _, e := range s.Enums {
		add(e.Name, nil)
	}
	for _, d := range s.Domains {
		add(d.Name, nil)
	}
	fnames := make([]string, len(s.Functions))
	for i, f := range s.Functions {
		claims = append(claims, claim{base(f.Name), fnSuffixes, func(v string) { fnames[i] = v }})
	}
	sort.SliceStable(claims, func(i, j int) bool { return claims[i].base < claims[j].base })
	for _, c := range claims {
		c.set(n.claim(c.base, c.suffixes...))
	}
	return names, fnames
}
