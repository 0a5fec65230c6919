package catalog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// sentQueries records the SQL of each query a connection sends in a batch;
// both sessions of an inspection record into it.
type sentQueries struct {
	mu  sync.Mutex
	sql map[string]bool
}

func (s *sentQueries) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (s *sentQueries) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (s *sentQueries) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (s *sentQueries) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.mu.Lock()
	s.sql[d.SQL] = true
	s.mu.Unlock()
}
func (s *sentQueries) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// The queries of rarely used kinds are sent only when the catalog holds an
// object of their kind, on one session or two: a plain schema's
// inspection does not make the server plan them, and one object of a kind
// is read all the same.
func TestRareKindsAreReadOnlyWhenPresent(t *testing.T) {
	cases := []struct {
		kind  string // the rareKinds query that must be sent
		sql   string
		count func(m *model.Model) int
	}{
		{"", `CREATE TABLE t (id int)`, nil},
		{"rules", `CREATE TABLE t (id int); CREATE RULE t_ignore AS ON DELETE TO t DO INSTEAD NOTHING`,
			func(m *model.Model) int { return len(m.Rules) }},
		{"event triggers", `CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION et()`,
			func(m *model.Model) int { return len(m.EventTriggers) }},
		{"foreign servers", `CREATE FOREIGN DATA WRAPPER w; CREATE SERVER srv FOREIGN DATA WRAPPER w`,
			func(m *model.Model) int { return len(m.Servers) }},
		{"casts", `CREATE TYPE mood AS ENUM ('ok');
CREATE FUNCTION mood_int(mood) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
CREATE CAST (mood AS int) WITH FUNCTION mood_int(mood)`,
			func(m *model.Model) int { return len(m.Casts) }},
		{"range types", `CREATE TYPE floatrange AS RANGE (subtype = float8)`,
			func(m *model.Model) int { return len(m.Ranges) }},
		{"statistics", `CREATE TABLE t (a int, b int); CREATE STATISTICS st ON a, b FROM t`,
			func(m *model.Model) int { return len(m.Statistics) }},
		{"collations", `CREATE COLLATION c_copy (provider = libc, locale = 'C')`,
			func(m *model.Model) int { return len(m.Collations) }},
		{"text search configurations", `CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = pg_catalog."default")`,
			func(m *model.Model) int { return len(m.TextSearchConfigs) }},
		{"operators", `CREATE FUNCTION before(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$ SELECT $1 < $2 $$;
CREATE OPERATOR <<< (LEFTARG = int, RIGHTARG = int, FUNCTION = before)`,
			func(m *model.Model) int { return len(m.Operators) }},
		{"operator classes", `CREATE OPERATOR CLASS own_ops FOR TYPE int USING btree AS
  OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int)`,
			func(m *model.Model) int { return len(m.OpClasses) }},
		{"operator families", `CREATE OPERATOR FAMILY fam USING hash`,
			func(m *model.Model) int { return len(m.OpFamilies) }},
	}
	ctx := context.Background()
	for _, parallel := range []bool{false, true} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/parallel=%t", c.kind, parallel), func(t *testing.T) {
				db := pgtest.NewDatabase(t)
				db.Exec(t, c.sql)
				cfg, err := pgx.ParseConfig(db.DSN)
				if err != nil {
					t.Fatal(err)
				}
				sent := &sentQueries{sql: map[string]bool{}}
				cfg.Tracer = sent
				conn, err := pgx.ConnectConfig(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close(ctx)
				major, err := ServerMajor(ctx, conn)
				if err != nil {
					t.Fatal(err)
				}
				rare := rareQueries(major)
				if got, want := slices.Sorted(maps.Keys(rare)), slices.Sorted(maps.Keys(rareKinds)); !slices.Equal(got, want) {
					t.Fatalf("the test knows the rare kinds %v, rareKinds holds %v", got, want)
				}
				opts := Options{Schemas: []string{"public"}, Parallel: parallel}
				if parallel {
					// Dialled before Inspect starts, so that the second
					// session reads its share however slow the machine.
					second, err := pgx.ConnectConfig(ctx, cfg)
					if err != nil {
						t.Fatal(err)
					}
					defer second.Close(ctx)
					opts.Dial = func(context.Context) (*pgx.Conn, error) { return second, nil }
				}
				m, sessions, err := InspectSessions(ctx, conn, opts)
				if err != nil {
					t.Fatal(err)
				}
				if parallel && sessions != 2 {
					t.Errorf("read on %d sessions, want 2", sessions)
				}
				for kind, sql := range rare {
					if sent.sql[sql] != (kind == c.kind) && (kind == c.kind || !alsoMade(c.kind, kind)) {
						t.Errorf("query of %s sent: %t", kind, sent.sql[sql])
					}
				}
				if c.count != nil && c.count(m) != 1 {
					t.Errorf("%d %s read, want 1", c.count(m), c.kind)
				}
			})
		}
	}
}

// alsoMade says whether making an object of one kind makes one of
// another as well: an operator class its operator family, a range type
// the cast to its multirange (PostgreSQL 14 on).
func alsoMade(kind, other string) bool {
	return kind == "operator classes" && other == "operator families" ||
		kind == "range types" && other == "casts"
}

// rareQueries are the rareKinds queries as inspect sends them.
func rareQueries(major int) map[string]string {
	return map[string]string{
		"rules":                      rulesQuery,
		"event triggers":             eventTriggersQuery,
		"foreign servers":            serversQuery,
		"casts":                      castsQuery,
		"range types":                rangesQuery,
		"statistics":                 statisticsQuery,
		"collations":                 collationsQueryFor(major),
		"text search configurations": textSearchConfigsQuery,
		"operators":                  operatorsQuery,
		"operator classes":           opClassesQuery,
		"operator families":          opFamiliesQuery,
	}
}
