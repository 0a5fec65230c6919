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
