// Package source reads the desired schema: every *.sql file under the schema
// directory, split into statements with PostgreSQL's own parser, each kept
// with its file and line.
package source

// Statement is one SQL statement of a source or migration file.
type Statement struct {
	File string // path as given (relative to the working directory when possible)
	Line int    // 1-based line of the statement's first token
	SQL  string // the statement text, without the terminating semicolon
	// Node is the pg_query node type of the statement, e.g. "CreateStmt",
	// "IndexStmt", "AlterTableStmt", "VariableSetStmt".
	Node string
}
