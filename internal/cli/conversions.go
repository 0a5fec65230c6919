package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// usingHints gives the planner the source's "-- @using" conversions; a hint
// beside a column the desired schema does not have is an error in the
// source.
func usingHints(set *source.Set, desired *model.Model) (map[model.ColumnRef]string, error) {
	var targets []plan.UsingTarget
	for _, h := range set.Hints {
		if h.Name != "using" {
			continue
		}
		if h.Target.Kind != "column" {
			return nil, &userError{msg: fmt.Sprintf("%s: -- @using stands beside a %s, not a column", h.Where(), h.Target.Kind),
				hint: "put the hint at the end of the line of the column whose type changes"}
		}
		targets = append(targets, plan.UsingTarget{Schema: h.Target.Schema, Table: h.Target.Name, Column: h.Target.Column, Expr: h.Value, Where: h.Where()})
	}
	if len(targets) == 0 {
		return nil, nil
	}
	using, unmatched := plan.QualifiedUsing(desired, targets)
	if len(unmatched) > 0 {
		h := unmatched[0]
		return nil, &userError{msg: fmt.Sprintf("%s: -- @using names column %s of table %s, which no managed schema declares", h.Where, h.Column, h.Table),
			hint: "put the hint at the end of the line of the column whose type changes"}
	}
	return using, nil
}

// checkConversions refuses a plan that changes a column to a type
// PostgreSQL has no cast to, unless the source states the conversion: the
// generated USING would fail, and only the user knows what the values mean.
// The cast is looked up on live (it parses, never runs, on no row).
func checkConversions(ctx context.Context, conn *pgx.Conn, convs []plan.Conversion) error {
	var lines []string
	var first plan.Conversion
	for _, c := range convs {
		if c.Stated {
			continue
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("SELECT NULL::%s::%s WHERE false", c.From, c.To))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "42846" || pgErr.Code == "42804") {
			if lines == nil {
				first = c
			}
			lines = append(lines, "  "+c.String())
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Any other error (a type the plan creates first) is left to the
		// plan's validation.
	}
	if lines == nil {
		return nil
	}
	col := model.QuoteIdent(first.Column)
	return &refusal{msg: "refusing to plan: PostgreSQL has no cast for these column type changes, so the values cannot be converted without you saying how:\n" +
		strings.Join(lines, "\n") + "\n" +
		"State the conversion in the schema source, at the end of the column's line: an expression over the column's old value, e.g.\n" +
		"    " + col + " " + first.To + ", -- @using <expression of " + col + ">\n" +
		"(for a bigint of epoch milliseconds to a timestamp: -- @using to_timestamp(" + col + " / 1000)), then run the command again; " +
		"or drop and add the column if its values can go."}
}
