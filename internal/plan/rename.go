package plan

import (
	"fmt"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// RenameSteps are the ALTER … RENAME statements of renames, in order:
// tables, types and other objects first, then the columns and enum values
// in them (which are named under the object's new name by then).
func RenameSteps(renames []diff.Rename) []Step {
	var objects, inner []Step
	for _, r := range renames {
		q := func(name string) string { return model.QName{Schema: r.Object.Schema, Name: name}.String() }
		id := model.QuoteIdent
		var sql, what string
		switch r.Kind {
		case "table":
			sql, what = fmt.Sprintf("ALTER TABLE %s RENAME TO %s", q(r.Old), id(r.New)), "table"
		case "view":
			sql, what = fmt.Sprintf("ALTER VIEW %s RENAME TO %s", q(r.Old), id(r.New)), "view"
		case "materialized view":
			sql, what = fmt.Sprintf("ALTER MATERIALIZED VIEW %s RENAME TO %s", q(r.Old), id(r.New)), "materialized view"
		case "index":
			sql, what = fmt.Sprintf("ALTER INDEX %s RENAME TO %s", q(r.Old), id(r.New)), "index"
		case "sequence":
			sql, what = fmt.Sprintf("ALTER SEQUENCE %s RENAME TO %s", q(r.Old), id(r.New)), "sequence"
		case "type":
			sql, what = fmt.Sprintf("ALTER TYPE %s RENAME TO %s", q(r.Old), id(r.New)), "type"
		case "domain":
			sql, what = fmt.Sprintf("ALTER DOMAIN %s RENAME TO %s", q(r.Old), id(r.New)), "domain"
		case "function", "procedure":
			kw := "FUNCTION"
			if r.Kind == "procedure" {
				kw = "PROCEDURE"
			}
			sql, what = fmt.Sprintf("ALTER %s %s(%s) RENAME TO %s", kw, q(r.Old), r.Args, id(r.New)), r.Kind
		case "column":
			inner = append(inner, Step{
				SQL:     fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", r.Object, id(r.Old), id(r.New)),
				Summary: fmt.Sprintf("rename column %s.%s to %s", r.Object, id(r.Old), id(r.New)),
			})
			continue
		case "enum value":
			inner = append(inner, Step{
				SQL:     fmt.Sprintf("ALTER TYPE %s RENAME VALUE %s TO %s;", r.Object, model.QuoteLiteral(r.Old), model.QuoteLiteral(r.New)),
				Summary: fmt.Sprintf("rename value %s of type %s to %s", model.QuoteLiteral(r.Old), r.Object, model.QuoteLiteral(r.New)),
			})
			continue
		default:
			continue
		}
		objects = append(objects, Step{SQL: sql + ";", Summary: fmt.Sprintf("rename %s %s to %s", what, q(r.Old), id(r.New))})
	}
	return append(objects, inner...)
}
