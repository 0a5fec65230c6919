package hazard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// classifyUnparsed classifies a statement the parser cannot parse
// (PostgreSQL 18 syntax kept by source.SplitFor, its kind fixed by its
// leading keywords) from the scanner's tokens alone. It recognises the
// forms pg-flux itself writes for PostgreSQL 18 — ADD CONSTRAINT … NOT
// NULL col NOT VALID (the first step of the staged SET NOT NULL), ADD
// COLUMN … VIRTUAL (no rewrite, no scan) and ALTER CONSTRAINT … [NOT]
// ENFORCED (a foreign key's enforcement) — and is conservative about
// anything else: an ALTER TABLE or ALTER DOMAIN of an existing object it
// cannot read is reported as rewriting the table, for review.
func (c *classifier) classifyUnparsed(kind, sql string) {
	sr, err := pg_query.Scan(sql)
	if err != nil {
		c.add(TableRewrite, "Cannot read %q: review it; assumed to rewrite the table under ACCESS EXCLUSIVE lock", oneLine(sql))
		return
	}
	var toks []tok
	for _, t := range sr.Tokens {
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT {
			continue
		}
		toks = append(toks, tok{t.Token, sql[t.Start:t.End]})
	}
	switch kind {
	case "CreateStmt":
		i := 1
		for i < len(toks) && toks[i].t != pg_query.Token_TABLE {
			i++
		}
		i = skip(toks, i+1, pg_query.Token_IF_P, pg_query.Token_NOT, pg_query.Token_EXISTS)
		if name, _, ok := qualifiedName(toks, i); ok {
			c.created[model.ID(model.KindTable, name)] = true
		}
	case "AlterTableStmt":
		i := skip(toks, 2, pg_query.Token_IF_P, pg_query.Token_EXISTS, pg_query.Token_ONLY)
		name, i, ok := qualifiedName(toks, i)
		if !ok {
			break
		}
		if c.created[model.ID(model.KindTable, name)] {
			return // no rows yet
		}
		rest := toks[i:]
		if col, ok := notNullNotValid(rest); ok {
			colID := model.ObjectID{Kind: model.KindColumn, Schema: name.Schema, Name: name.Name, Sub: col}
			c.notNullChecks[colID] = true
			rows := ""
			if c.live != nil {
				if st, ok := c.live.Stats[name]; ok && st.RelTuples >= 0 {
					rows = " (" + FormatRows(st.RelTuples) + " rows)"
				}
			}
			c.add(StagedSetNotNull, "Rewrote SET NOT NULL on %s.%s%s to 2-step pattern", name, model.QuoteIdent(col), rows)
			return
		}
		if addsVirtualColumn(rest) {
			return
		}
		if enforce, ok := alterEnforcement(rest); ok {
			// Checked on 18.4: NOT ENFORCED reads no row; ENFORCED
			// validates the key under ACCESS EXCLUSIVE.
			if enforce {
				c.add(ConstraintScan, msgConstraintScan)
			}
			return
		}
		c.add(TableRewrite, "Cannot read ALTER TABLE %s (PostgreSQL 18 syntax): review it; assumed to rewrite the table under ACCESS EXCLUSIVE lock", name)
		return
	case "AlterDomainStmt":
		c.add(ConstraintScan, msgConstraintScan)
	}
}

type tok struct {
	t    pg_query.Token
	text string
}

// skip moves i past any of the tokens.
func skip(toks []tok, i int, any ...pg_query.Token) int {
	for i < len(toks) {
		found := false
		for _, a := range any {
			found = found || toks[i].t == a
		}
		if !found {
			return i
		}
		i++
	}
	return i
}

// ident reads one identifier token (a name, or a keyword used as one) as
// PostgreSQL folds it.
func ident(t tok) string {
	if strings.HasPrefix(t.text, `"`) {
		return strings.ReplaceAll(strings.Trim(t.text, `"`), `""`, `"`)
	}
	return strings.ToLower(t.text)
}

// qualifiedName reads [schema.]name at toks[i]; unqualified names resolve
// to public, as rangeVarName does.
func qualifiedName(toks []tok, i int) (model.QName, int, bool) {
	if i >= len(toks) || toks[i].t < pg_query.Token_IDENT || toks[i].t == pg_query.Token_SCONST {
		return model.QName{}, i, false
	}
	q := model.QName{Schema: "public", Name: ident(toks[i])}
	if i+2 < len(toks) && toks[i+1].t == pg_query.Token_ASCII_46 {
		q = model.QName{Schema: q.Name, Name: ident(toks[i+2])}
		return q, i + 3, true
	}
	return q, i + 1, true
}

// notNullNotValid matches exactly ADD CONSTRAINT name NOT NULL col NOT
// VALID and returns the column.
func notNullNotValid(rest []tok) (string, bool) {
	want := []pg_query.Token{pg_query.Token_ADD_P, pg_query.Token_CONSTRAINT, 0, pg_query.Token_NOT, pg_query.Token_NULL_P, 0, pg_query.Token_NOT, pg_query.Token_VALID}
	if len(rest) != len(want) {
		return "", false
	}
	for i, w := range want {
		if w == 0 {
			if rest[i].t < pg_query.Token_IDENT || rest[i].t == pg_query.Token_SCONST {
				return "", false
			}
			continue
		}
		if rest[i].t != w {
			return "", false
		}
	}
	return ident(rest[5]), true
}

// addsVirtualColumn matches ADD [COLUMN] … whose one action is a column
// ending in VIRTUAL, with no constraint that would scan the table.
func addsVirtualColumn(rest []tok) bool {
	if len(rest) < 3 || rest[0].t != pg_query.Token_ADD_P || !strings.EqualFold(rest[len(rest)-1].text, "virtual") {
		return false
	}
	depth := 0
	for _, t := range rest {
		switch t.t {
		case pg_query.Token_ASCII_40:
			depth++
		case pg_query.Token_ASCII_41:
			depth--
		case pg_query.Token_ASCII_44, pg_query.Token_CHECK, pg_query.Token_REFERENCES, pg_query.Token_NULL_P,
			pg_query.Token_UNIQUE, pg_query.Token_PRIMARY, pg_query.Token_CONSTRAINT:
			if depth == 0 {
				return false
			}
		}
	}
	return true
}

// alterEnforcement matches exactly ALTER CONSTRAINT name [NOT] ENFORCED
// and reports whether it enforces.
func alterEnforcement(rest []tok) (enforce, ok bool) {
	if len(rest) < 4 || rest[0].t != pg_query.Token_ALTER || rest[1].t != pg_query.Token_CONSTRAINT ||
		rest[2].t < pg_query.Token_IDENT || rest[2].t == pg_query.Token_SCONST ||
		!strings.EqualFold(rest[len(rest)-1].text, "enforced") {
		return false, false
	}
	switch len(rest) {
	case 4:
		return true, true
	case 5:
		return false, rest[3].t == pg_query.Token_NOT
	}
	return false, false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// liveVirtual reports a live virtual generated column (PostgreSQL 18):
// changing its expression rewrites nothing, the values are computed when
// read.
func (c *classifier) liveVirtual(table model.QName, col string) bool {
	if c.live == nil {
		return false
	}
	t := c.live.Tables[table]
	if t == nil {
		return false
	}
	lc := t.Column(col)
	return lc != nil && lc.Virtual
}
