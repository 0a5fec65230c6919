package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Catalog columns and tables differ between PostgreSQL majors. Each kind
// still has one query; where a major lacks a column, the query is chosen by
// version and reads a constant in its place (a value that means "not used",
// which is all the older server can hold).

// MinMajor is the oldest PostgreSQL major pg-flux supports.
const MinMajor = 14

// ServerMajor returns the major version of the connected server.
func ServerMajor(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var num int
	if err := q.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return 0, fmt.Errorf("read the server version: %w", err)
	}
	return checkMajor(num)
}

// checkMajor is the major of a server_version_num, or an error for one
// pg-flux does not support.
func checkMajor(num int) (int, error) {
	major := num / 10000
	if major < MinMajor {
		return major, fmt.Errorf("PostgreSQL %d is not supported: pg-flux needs PostgreSQL %d or newer", major, MinMajor)
	}
	return major, nil
}

// publicationsQueryFor returns publicationsQuery for a major: publications
// by schema (pg_publication_namespace), column lists (prattrs) and row
// filters (prqual) are PostgreSQL 15.
func publicationsQueryFor(major int) string {
	if major >= 15 {
		return publicationsQuery
	}
	return replaceAll("publicationsQuery", publicationsQuery, [][2]string{
		{`ARRAY(SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid
             WHERE pn.pnpubid = p.oid ORDER BY 1)`, `'{}'::text[]`},
		{`a.attnum = ANY(pr.prattrs)`, `false`},
		{`pg_get_expr(pr.prqual, pr.prrelid)`, `NULL::text`},
	})
}

// collationsQueryFor returns collationsQuery for a major: up to PostgreSQL
// 14 an ICU collation keeps its locale in collcollate and collctype, from
// 15 in colliculocale (colllocale from 17) with those two empty, which is
// how the model holds it on every major.
func collationsQueryFor(major int) string {
	if major >= 15 {
		return collationsQuery
	}
	return replaceAll("collationsQuery", collationsQuery, [][2]string{
		{`coalesce(to_jsonb(co)->>'colliculocale', to_jsonb(co)->>'colllocale', '')`,
			`CASE WHEN co.collprovider = 'i' THEN co.collcollate::text ELSE '' END`},
		{`coalesce(co.collcollate::text, ''), coalesce(co.collctype::text, '')`,
			`CASE WHEN co.collprovider = 'i' THEN '' ELSE co.collcollate::text END,
       CASE WHEN co.collprovider = 'i' THEN '' ELSE co.collctype::text END`},
	})
}

// replaceAll rewrites a query for an older major. Each fragment must occur:
// a query edited without its older variant fails every test on that major.
func replaceAll(name, q string, pairs [][2]string) string {
	for _, r := range pairs {
		if !strings.Contains(q, r[0]) {
			panic("catalog: " + name + " changed; update its variant for older majors: " + r[0])
		}
		q = strings.ReplaceAll(q, r[0], r[1])
	}
	return q
}
