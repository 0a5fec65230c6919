package source

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// reject returns an *Error for a statement that does not belong in schema
// files, saying what to do instead; nil for DDL and session settings.
// PostgreSQL decides everything else: source is whatever it accepts.
func reject(p parsed) *Error {
	msg := ""
	switch n := p.node.GetNode().(type) {
	case *pg_query.Node_InsertStmt:
		if isSystemCatalog(n.InsertStmt.Relation) {
			return nil
		}
		msg = dataChange("INSERT")
	case *pg_query.Node_UpdateStmt:
		if isSystemCatalog(n.UpdateStmt.Relation) {
			return nil
		}
		msg = dataChange("UPDATE")
	case *pg_query.Node_DeleteStmt:
		if isSystemCatalog(n.DeleteStmt.Relation) {
			return nil
		}
		msg = dataChange("DELETE")
	case *pg_query.Node_MergeStmt:
		msg = dataChange("MERGE")
	case *pg_query.Node_CopyStmt:
		msg = dataChange("COPY")
	case *pg_query.Node_TruncateStmt:
		msg = dataChange("TRUNCATE")
	case *pg_query.Node_RefreshMatViewStmt:
		msg = "REFRESH MATERIALIZED VIEW is not allowed in schema files: it changes data, not structure; remove it (refresh the view from a migration if needed)"
	case *pg_query.Node_SelectStmt:
		if isSetConfig(n.SelectStmt) {
			return nil
		}
		msg = "SELECT is not allowed in schema files: they declare structure only (the one SELECT accepted is pg_dump's SELECT pg_catalog.set_config(…)); move it to a migration"
	case *pg_query.Node_TransactionStmt:
		msg = fmt.Sprintf("%s is not allowed in schema files: pg-flux runs the source in transactions of its own; remove it", firstWord(p.SQL))
	case *pg_query.Node_CreatedbStmt, *pg_query.Node_DropdbStmt, *pg_query.Node_AlterDatabaseStmt,
		*pg_query.Node_AlterDatabaseSetStmt, *pg_query.Node_AlterDatabaseRefreshCollStmt:
		msg = fmt.Sprintf("%s DATABASE is not allowed in schema files: they declare the objects inside one database; manage databases outside pg-flux", firstWord(p.SQL))
	case *pg_query.Node_AlterSystemStmt:
		msg = "ALTER SYSTEM is not allowed in schema files: it changes server configuration, not the schema; remove it"
	case *pg_query.Node_CreateTableSpaceStmt, *pg_query.Node_DropTableSpaceStmt, *pg_query.Node_AlterTableSpaceOptionsStmt:
		msg = fmt.Sprintf("%s TABLESPACE is not allowed in schema files: a tablespace is a directory of the server, outside the database; manage tablespaces outside pg-flux", firstWord(p.SQL))
	case *pg_query.Node_AlterRoleStmt, *pg_query.Node_AlterRoleSetStmt, *pg_query.Node_DropRoleStmt:
		msg = fmt.Sprintf("%s ROLE is not allowed in schema files: roles belong to the server, not the schema, and pg-flux does not manage them; manage roles outside pg-flux", firstWord(p.SQL))
	case *pg_query.Node_LoadStmt:
		msg = "LOAD is not allowed in schema files: it loads a shared library into the server; remove it (CREATE EXTENSION loads what an extension needs)"
	case *pg_query.Node_CallStmt:
		msg = "CALL is not allowed in schema files: it runs a procedure, which changes data, not structure; move it to a migration"
	case *pg_query.Node_VacuumStmt, *pg_query.Node_ClusterStmt, *pg_query.Node_ReindexStmt, *pg_query.Node_CheckPointStmt:
		msg = fmt.Sprintf("%s is not allowed in schema files: it is maintenance, not structure; remove it (run it against the database directly)", firstWord(p.SQL))
	default:
		return nil
	}
	return &Error{File: p.File, Line: p.Line, Msg: msg}
}

// isTransactionWrapper reports BEGIN / START TRANSACTION / COMMIT / END
// around DDL, as scripts often have: harmless, since pg-flux decides the
// transactions, so Load leaves them out. ROLLBACK, savepoints and prepared
// transactions would change what the file means, and are rejected.
func isTransactionWrapper(p parsed) bool {
	ts := p.node.GetTransactionStmt()
	if ts == nil {
		return false
	}
	switch ts.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START,
		pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		return !ts.Chain
	}
	return false
}

// isSystemCatalog reports a pg_catalog table: a write to one changes the
// structure (as fixtures do to provoke edge cases), not data.
func isSystemCatalog(rv *pg_query.RangeVar) bool {
	if rv == nil {
		return false
	}
	return rv.Schemaname == "pg_catalog" || (rv.Schemaname == "" && strings.HasPrefix(rv.Relname, "pg_"))
}

func dataChange(what string) string {
	return what + " is not allowed in schema files: they declare structure only; put data changes in a migration"
}

// isSetConfig reports pg_dump's `SELECT pg_catalog.set_config(…)`: a
// SELECT of nothing but set_config calls.
func isSetConfig(s *pg_query.SelectStmt) bool {
	if len(s.TargetList) == 0 || s.IntoClause != nil || len(s.FromClause) > 0 || s.WhereClause != nil ||
		s.WithClause != nil || len(s.ValuesLists) > 0 || s.Op != pg_query.SetOperation_SETOP_NONE {
		return false
	}
	for _, t := range s.TargetList {
		fc := t.GetResTarget().GetVal().GetFuncCall()
		if fc == nil {
			return false
		}
		var name []string
		for _, n := range fc.Funcname {
			name = append(name, n.GetString_().GetSval())
		}
		switch {
		case len(name) == 1 && name[0] == "set_config":
		case len(name) == 2 && name[0] == "pg_catalog" && name[1] == "set_config":
		default:
			return false
		}
	}
	return true
}

// firstWord is the statement's leading keyword, upper-cased, for messages.
func firstWord(sql string) string {
	f := strings.Fields(sql)
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(strings.TrimRight(f[0], ";("))
}
