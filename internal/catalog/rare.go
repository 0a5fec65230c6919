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
	"rules": `EXISTS (SELECT FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND r.rulename <> '_RETURN')`,
	"event triggers":  `EXISTS (SELECT FROM pg_event_trigger)`,
	"foreign servers": `EXISTS (SELECT FROM pg_foreign_server)`,
	"casts":           `EXISTS (SELECT FROM pg_cast WHERE oid >= 16384)`,
	"range types": `EXISTS (SELECT FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY($1) AND t.typtype = 'r')`,
	"statistics": `EXISTS (SELECT FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
  WHERE n.nspname = ANY($1))`,
	"collations": `EXISTS (SELECT FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
  WHERE n.nspname = ANY($1))`,
	"text search configurations": `EXISTS (SELECT FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
  WHERE n.nspname = ANY($1))`,
	"operators": `EXISTS (SELECT FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
  WHERE n.nspname = ANY($1))`,
	"operator classes": `EXISTS (SELECT FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace
  WHERE n.nspname = ANY($1))`,
	"operator families": `EXISTS (SELECT FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace
  WHERE n.nspname = ANY($1))`,
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
