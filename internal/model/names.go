package model

import (
	"encoding"
	"fmt"
	"sort"
	"strings"
)

// QName is a schema-qualified object name.
type QName struct {
	Schema string
	Name   string
}

// String returns the name as SQL, each part quoted only where PostgreSQL
// needs it: public.users, "Sales"."Order Lines".
func (q QName) String() string { return joinQuoted(q.Schema, q.Name) }

// Less orders names by schema, then name.
func (q QName) Less(o QName) bool {
	if q.Schema != o.Schema {
		return q.Schema < o.Schema
	}
	return q.Name < o.Name
}

// MarshalText makes QName usable as a JSON object key; the form is the SQL
// spelling, which is unambiguous.
func (q QName) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

var _ encoding.TextMarshaler = QName{}

// Kind names an object kind, in the words users see ("table", "index", …).
type Kind string

// Object kinds.
const (
	KindSchema     Kind = "schema"
	KindTable      Kind = "table"
	KindColumn     Kind = "column"
	KindConstraint Kind = "constraint"
	KindIndex      Kind = "index"
	KindSequence   Kind = "sequence"
	KindView       Kind = "view"
	KindEnum       Kind = "type"
)

// ObjectID identifies one object of the model. Sub is the column or
// constraint name for kinds that live inside a table.
type ObjectID struct {
	Kind   Kind
	Schema string
	Name   string
	Sub    string
}

// ID returns the ObjectID of a schema-level object.
func ID(kind Kind, name QName) ObjectID {
	return ObjectID{Kind: kind, Schema: name.Schema, Name: name.Name}
}

// QName returns the schema-qualified name of the object (of its table, for
// columns and constraints).
func (id ObjectID) QName() QName { return QName{Schema: id.Schema, Name: id.Name} }

// String returns "kind name", as messages print it: "table public.users",
// "column public.users.email", "constraint users_pkey on public.users".
func (id ObjectID) String() string {
	switch id.Kind {
	case KindSchema:
		return fmt.Sprintf("schema %s", QuoteIdent(id.Name))
	case KindColumn:
		return fmt.Sprintf("column %s.%s", id.QName(), QuoteIdent(id.Sub))
	case KindConstraint:
		return fmt.Sprintf("constraint %s on %s", QuoteIdent(id.Sub), id.QName())
	case KindFunction:
		return fmt.Sprintf("function %s(%s)", id.QName(), id.Sub)
	case KindTrigger:
		return fmt.Sprintf("trigger %s on %s", QuoteIdent(id.Sub), id.QName())
	case KindRule:
		return fmt.Sprintf("rule %s on %s", QuoteIdent(id.Sub), id.QName())
	case KindEventTrigger:
		return fmt.Sprintf("event trigger %s", QuoteIdent(id.Name))
	case KindPolicy:
		return fmt.Sprintf("policy %s on %s", QuoteIdent(id.Sub), id.QName())
	case KindCast:
		return fmt.Sprintf("cast (%s)", id.Name)
	case KindServer:
		return fmt.Sprintf("server %s", QuoteIdent(id.Name))
	case KindPublication:
		return fmt.Sprintf("publication %s", QuoteIdent(id.Name))
	case KindDefaultPrivileges:
		return defaultPrivilegesString(id)
	}
	return fmt.Sprintf("%s %s", id.Kind, id.QName())
}

// QuoteIdent quotes an identifier the way PostgreSQL's quote_ident does:
// only when it is not a plain lower-case name or is a keyword that needs it.
func QuoteIdent(s string) string {
	if isPlainIdent(s) && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// QuoteLiteral quotes a string as an SQL literal.
func QuoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `''`) + `'`
	}
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// ReservedWords returns the words QuoteIdent quotes although they are plain
// lower-case names, sorted: catalog queries need them to quote argument
// names the way the newest grammar does.
func ReservedWords() []string {
	words := make([]string, 0, len(reservedWords))
	for w := range reservedWords {
		words = append(words, w)
	}
	sort.Strings(words)
	return words
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case (r >= '0' && r <= '9') || r == '$':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// reservedWords are the keywords that quote_ident quotes: every category but
// the unreserved ones. Quoting a word needlessly is harmless; failing to quote
// one is a syntax error, so the list errs on the side of including.
var reservedWords = func() map[string]bool {
	words := `all analyse analyze and any array as asc asymmetric both case cast check collate column
constraint create current_catalog current_date current_role current_time current_timestamp
current_user default deferrable desc distinct do else end except false fetch for foreign from
grant group having in initially intersect into lateral leading limit localtime localtimestamp not
null offset on only or order placing primary references returning select session_user some
symmetric system_user table then to trailing true union unique user using variadic when where
window with authorization binary collation concurrently cross current_schema freeze full ilike
inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose
between bigint bit boolean char character coalesce dec decimal exists extract float greatest
grouping inout int integer interval json json_array json_arrayagg json_exists json_object
json_objectagg json_query json_scalar json_serialize json_table json_value least merge_action
national nchar none normalize nullif numeric out overlay position precision real row setof smallint
substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists
xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}()
