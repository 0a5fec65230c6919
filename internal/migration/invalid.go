package migration

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// dropInvalidIndex drops the INVALID index a failed or killed run of a
// CREATE INDEX CONCURRENTLY statement left behind, so the statement can
// build it again: with IF NOT EXISTS it would otherwise be skipped, and
// without it fail. Any other statement is left alone.
func dropInvalidIndex(ctx context.Context, conn *pgx.Conn, sql string) error {
	name, table := concurrentIndex(sql)
	if name == "" {
		return nil
	}
	var qualified string
	err := conn.QueryRow(ctx, `SELECT format('%I.%I', n.nspname, c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relname = $1 AND i.indrelid = to_regclass($2) AND NOT i.indisvalid`, name, table).Scan(&qualified)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look for an invalid index %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+qualified); err != nil {
		return fmt.Errorf("drop invalid index %s left by an interrupted build: %w", qualified, err)
	}
	return nil
}

// concurrentIndex returns the index name and the quoted table of a CREATE
// INDEX CONCURRENTLY statement with an explicit name, else "", "".
func concurrentIndex(sql string) (name, table string) {
	tree, err := pg_query.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return "", ""
	}
	st := tree.Stmts[0].Stmt.GetIndexStmt()
	if st == nil || !st.Concurrent || st.Idxname == "" || st.Relation == nil {
		return "", ""
	}
	table = model.QuoteIdent(st.Relation.Relname)
	if st.Relation.Schemaname != "" {
		table = model.QuoteIdent(st.Relation.Schemaname) + "." + table
	}
	return st.Idxname, table
}

// dropReindexLeftovers drops the transient indexes a REINDEX INDEX
// CONCURRENTLY that failed or was killed leaves beside the index it
// rebuilds, INVALID: the new copy, "<name>_ccnew", when the build failed
// (over rows a unique index refuses, say), or the old one, "<name>_ccold",
// when the run stopped after the swap. PostgreSQL's documented recovery is
// to drop them; both are run before the statement (a killed run being
// resumed) and after it fails, so that a failed rebuild leaves the schema
// as it was. Any other statement is left alone.
func dropReindexLeftovers(ctx context.Context, conn *pgx.Conn, sql string) error {
	index := concurrentReindex(sql)
	if index == "" {
		return nil
	}
	// PostgreSQL names them ChooseRelationName(name, "ccnew"): the name,
	// truncated to fit, "_ccnew", and a number when that is taken.
	rows, err := conn.Query(ctx, `SELECT format('%I.%I', n.nspname, c.relname)
		FROM pg_index o JOIN pg_class oc ON oc.oid = o.indexrelid
		JOIN pg_index i ON i.indrelid = o.indrelid AND i.indexrelid <> o.indexrelid AND NOT i.indisvalid
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE o.indexrelid = to_regclass($1) AND c.relname ~ '_cc(new|old)[0-9]*$'
		  AND c.relname !~ '^_cc(new|old)[0-9]*$'
		  AND starts_with(oc.relname, regexp_replace(c.relname, '_cc(new|old)[0-9]*$', ''))
		ORDER BY 1`, index)
	if err != nil {
		return fmt.Errorf("look for indexes a rebuild of %s left behind: %w", index, err)
	}
	leftovers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("look for indexes a rebuild of %s left behind: %w", index, err)
	}
	for _, name := range leftovers {
		if _, err := conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop invalid index %s left by an interrupted rebuild of %s: %w", name, index, err)
		}
	}
	return nil
}

// concurrentReindex returns the quoted index of a REINDEX INDEX
// CONCURRENTLY statement, else "".
func concurrentReindex(sql string) string {
	tree, err := pg_query.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return ""
	}
	st := tree.Stmts[0].Stmt.GetReindexStmt()
	if st == nil || st.Kind != pg_query.ReindexObjectType_REINDEX_OBJECT_INDEX || st.Relation == nil {
		return ""
	}
	for _, p := range st.Params {
		if d := p.GetDefElem(); d != nil && d.Defname == "concurrently" {
			name := model.QuoteIdent(st.Relation.Relname)
			if st.Relation.Schemaname != "" {
				name = model.QuoteIdent(st.Relation.Schemaname) + "." + name
			}
			return name
		}
	}
	return ""
}
