package catalog

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// unmodelledKinds are the kinds of objects of the managed schemas that
// pg-flux does not model: Inspect lists them in Model.Unmodelled instead of
// leaving them out silently. This is the one place to take a kind out of
// when it gets modelled. Each query yields one text column, the object as
// a message names it; $1 is the managed schemas. Extension members are
// never listed (the extension creates them).
var unmodelledKinds = []string{
	// CREATE TRANSFORM, likewise by its type.
	`SELECT 'transform for ' || format_type(tr.trftype, NULL) || ' language ' || l.lanname
	FROM pg_transform tr JOIN pg_language l ON l.oid = tr.trflang
	JOIN pg_type t ON t.oid = tr.trftype JOIN pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname = ANY($1) AND ` + notMember("pg_transform", "tr.oid"),
	// CREATE CONVERSION.
	`SELECT 'conversion ' || quote_ident(n.nspname) || '.' || quote_ident(c.conname)
	FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace
	WHERE n.nspname = ANY($1) AND ` + notMember("pg_conversion", "c.oid"),
	// CREATE TEXT SEARCH DICTIONARY, PARSER, TEMPLATE (configurations are
	// modelled).
	`SELECT 'text search dictionary ' || quote_ident(n.nspname) || '.' || quote_ident(d.dictname)
	FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
	WHERE n.nspname = ANY($1) AND ` + notMember("pg_ts_dict", "d.oid"),
	`SELECT 'text search parser ' || quote_ident(n.nspname) || '.' || quote_ident(p.prsname)
	FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace
	WHERE n.nspname = ANY($1) AND ` + notMember("pg_ts_parser", "p.oid"),
	`SELECT 'text search template ' || quote_ident(n.nspname) || '.' || quote_ident(t.tmplname)
	FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace
	WHERE n.nspname = ANY($1) AND ` + notMember("pg_ts_template", "t.oid"),
	// Typed tables (OF type): a dump would write them as plain tables.
	`SELECT 'typed table ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' OF ' || format_type(c.reloftype, NULL)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = ANY($1) AND c.reloftype <> 0 AND c.relkind IN ('r', 'p') AND ` + notExtensionMember,
	// CREATE TYPE … (INPUT = …), and shell types (CREATE TYPE name); not
	// the array types PostgreSQL makes for every type.
	`SELECT CASE WHEN t.typisdefined THEN 'base type ' ELSE 'shell type ' END || quote_ident(n.nspname) || '.' || quote_ident(t.typname)
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname = ANY($1) AND (t.typtype = 'b' OR NOT t.typisdefined) AND ` + notMember("pg_type", "t.oid") + `
	  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)`,
}

// unmodelledQueryFor lists every object of unmodelledKinds, sorted. (It
// takes the major for kinds only some majors have; PostgreSQL 18's virtual
// generated columns and NOT ENFORCED constraints are modelled.)
func unmodelledQueryFor(major int) string {
	kinds := unmodelledKinds
	return "SELECT * FROM (\n" + strings.Join(kinds, "\nUNION ALL\n") + "\n) u(object) ORDER BY 1"
}

func (r *reader) unmodelled(rows pgx.Rows) error {
	var s string
	if err := rows.Scan(&s); err != nil {
		return err
	}
	r.m.Unmodelled = append(r.m.Unmodelled, s)
	return nil
}
