package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// rareKinds are the queries of object kinds that few schemas have, by
// name, each with a test that is true whenever the catalog holds a row the
// query could return: its own tables and filters, or fewer of them, so
// cheap to plan. In a new backend most of a small schema's inspection is
// the server parsing and planning the catalog queries, and these cost
// about an eighth of it for rows that are nearly always none. They are
// sent only for the kinds the tests find (holdRare, runRare). Their rows
// attach to nothing read after them, and nothing read after them attaches
// to their objects but by name (privileges, owners, dependencies), so they
// may be read last.
var rareKinds = map[string]string{
	"rules":                      inSchemas("pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class", "c.relnamespace", "r.rulename <> '_RETURN'"),
	"event triggers":             `EXISTS (SELECT FROM pg_event_trigger)`,
	"foreign servers":            `EXISTS (SELECT FROM pg_foreign_server)`,
	"casts":                      `EXISTS (SELECT FROM pg_cast WHERE oid >= 16384)`,
	"range types":                inSchemas("pg_type t", "t.typnamespace", "t.typtype = 'r'"),
	"statistics":                 inSchemas("pg_statistic_ext s", "s.stxnamespace", ""),
	"collations":                 inSchemas("pg_collation co", "co.collnamespace", ""),
	"text search configurations": inSchemas("pg_ts_config c", "c.cfgnamespace", ""),
	"operators":                  inSchemas("pg_operator o", "o.oprnamespace", ""),
	"operator classes":           inSchemas("pg_opclass c", "c.opcnamespace", ""),
	"operator families":          inSchemas("pg_opfamily f", "f.opfnamespace", ""),
}

// inSchemas is the test that from has a row in the schemas of $1 (nsp is
// its namespace column) that meets where, when not empty.
func inSchemas(from, nsp, where string) string {
	if where != "" {
		where = " AND " + where
	}
	return "EXISTS (SELECT FROM " + from + " JOIN pg_namespace n ON n.oid = " + nsp +
		" WHERE n.nspname = ANY($1)" + where + ")"
}

// holdRare takes the rareKinds queries out of qs and puts in their place,
// first, one query that runs their tests; r.found records its answer. It
// returns the queries to send and those held back, in order.
func (r *reader) holdRare(qs []query, strs interner) (send, held []query) {
	var tests []string
	for _, q := range qs {
		if test, ok := rareKinds[q.name]; ok {
			held = append(held, q)
			tests = append(tests, test)
			continue
		}
		send = append(send, q)
	}
	if len(held) == 0 {
		return qs, nil
	}
	probe := query{name: "kinds present", strs: strs,
		sql:  "SELECT ARRAY[" + strings.Join(tests, ",\n  ") + "]",
		scan: func(rows pgx.Rows) error { return rows.Scan(&r.found) }}
	return append([]query{probe}, send...), held
}

// runRare sends the held queries whose kinds the test found, in one round
// trip; none when it found none, as on most schemas.
func (r *reader) runRare(ctx context.Context, tx pgx.Tx, held []query, schemas []string) error {
	if len(held) > 0 && len(r.found) != len(held) {
		return fmt.Errorf("read kinds present: %d answers for %d kinds", len(r.found), len(held))
	}
	var send []query
	for i, q := range held {
		if r.found[i] {
			send = append(send, q)
		}
	}
	if len(send) == 0 {
		return nil
	}
	return runQueries(ctx, tx, send, schemas)
}
