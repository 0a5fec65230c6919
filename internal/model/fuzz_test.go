package model

import (
	"strings"
	"testing"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// FuzzQuoteIdent: any name PostgreSQL can hold, quoted by QuoteIdent and
// QName.String in statements of several kinds, parses back (with
// PostgreSQL's own parser) to exactly that name; QuoteLiteral likewise
// round-trips any string.
func FuzzQuoteIdent(f *testing.F) {
	for _, seed := range []string{
		"users", "Users", "select", "user", "order", "a b", `we"ird`, "a.b", "ünïcödé", "日本語", "$x", "x$", "_", "1abc",
		strings.Repeat("x", 63), strings.Repeat("é", 31) + "x", "end", "from", "'quote'", `back\slash`, "tab\there", "nl\nhere",
	} {
		f.Add(seed, "public", "it's")
	}
	f.Fuzz(func(t *testing.T, name, schema, literal string) {
		if !valid(name) || !valid(schema) || !utf8.ValidString(literal) || strings.ContainsRune(literal, 0) {
			return
		}
		q := QName{Schema: schema, Name: name}
		for _, sql := range []string{
			"CREATE TABLE " + q.String() + " (" + QuoteIdent(name) + " int)",
			"CREATE INDEX " + QuoteIdent(name) + " ON " + q.String() + " (" + QuoteIdent(name) + ")",
			"CREATE VIEW " + q.String() + " AS SELECT " + QuoteLiteral(literal) + " AS " + QuoteIdent(name),
		} {
			tree, err := pg_query.Parse(sql)
			if err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			st := tree.Stmts[0].Stmt
			var got []string
			switch {
			case st.GetCreateStmt() != nil:
				c := st.GetCreateStmt()
				got = []string{c.Relation.Schemaname, c.Relation.Relname, c.TableElts[0].GetColumnDef().Colname}
			case st.GetIndexStmt() != nil:
				c := st.GetIndexStmt()
				got = []string{c.Relation.Schemaname, c.Relation.Relname, c.Idxname}
			case st.GetViewStmt() != nil:
				c := st.GetViewStmt()
				target := c.Query.GetSelectStmt().TargetList[0].GetResTarget()
				got = []string{c.View.Schemaname, c.View.Relname, target.Name}
				if s := target.Val.GetAConst().GetSval().GetSval(); s != literal {
					t.Fatalf("%s: literal %q parsed as %q", sql, literal, s)
				}
			}
			if want := []string{schema, name, name}; strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("%s: parsed names %q, want %q", sql, got, want)
			}
		}
	})
}

// valid reports whether PostgreSQL can hold s as a name as it is: UTF-8,
// no NUL, at most 63 bytes (longer names are truncated).
func valid(s string) bool {
	return s != "" && len(s) <= 63 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
