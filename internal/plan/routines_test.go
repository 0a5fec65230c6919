package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

const routineSchema = `
CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0, updated timestamptz);
CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b';
CREATE FUNCTION add(a text, b text) RETURNS text LANGUAGE sql AS 'SELECT a || b';
CREATE FUNCTION atomic_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;
CREATE FUNCTION counted() RETURNS SETOF t LANGUAGE sql STABLE AS 'SELECT * FROM t';
CREATE PROCEDURE bump(n int) LANGUAGE plpgsql AS $$ BEGIN UPDATE t SET n = t.n + bump.n; END $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
CREATE FUNCTION sum_sfunc(state int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT state + v';
CREATE AGGREGATE my_sum(int) (SFUNC = sum_sfunc, STYPE = int, INITCOND = '0');
CREATE AGGREGATE my_count(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
CREATE AGGREGATE my_max(int) (SFUNC = int4larger, STYPE = int, SORTOP = >, PARALLEL = SAFE, COMBINEFUNC = int4larger);
CREATE AGGREGATE moving_sum(int) (SFUNC = int4pl, STYPE = int, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int, MINITCOND = '0', FINALFUNC = int4abs, FINALFUNC_MODIFY = SHAREABLE);
CREATE AGGREGATE my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE TRIGGER t_touch BEFORE UPDATE OF n ON t FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n) EXECUTE FUNCTION touch();
ALTER TABLE t DISABLE TRIGGER t_touch;
COMMENT ON TRIGGER t_touch ON t IS 'keeps updated';
COMMENT ON AGGREGATE my_count(*) IS 'counts';
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER et_ddl_plan_test ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION on_ddl();
ALTER EVENT TRIGGER et_ddl_plan_test DISABLE;
CREATE FUNCTION positive(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';
CREATE TABLE u (id int DEFAULT add(1, 2), v int CHECK (positive(v)));
CREATE INDEX u_pos ON u (positive(v));
CREATE VIEW uv AS SELECT add(id, v) AS s FROM u;
`

func TestRoutinesConverge(t *testing.T) {
	cases := []convergeCase{
		{name: "routines from nothing", before: "", after: routineSchema},
		{name: "return type change with dependents",
			before: routineSchema,
			after: strings.NewReplacer(
				"CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b'",
				"CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT (a + b)::bigint'",
				"CREATE FUNCTION positive(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0'",
				"CREATE FUNCTION positive(y int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT y >= 0'",
				"CREATE FUNCTION sum_sfunc(state int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT state + v'",
				"CREATE FUNCTION sum_sfunc(state int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT state + v + 0'",
				"NEW.updated := now()", "NEW.updated := clock_timestamp()",
				"WHEN (OLD.n IS DISTINCT FROM NEW.n)", "WHEN (OLD.n < NEW.n)",
				"ALTER TABLE t DISABLE TRIGGER t_touch", "ALTER TABLE t ENABLE REPLICA TRIGGER t_touch",
			).Replace(routineSchema)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schemas := []string{"public"}
			t.Run("forward", func(t *testing.T) { converge(t, c.before, c.after, schemas) })
			t.Run("backward", func(t *testing.T) { converge(t, c.after, c.before, schemas) })
		})
	}
}

// TestCorpusRoutinesRoundTrip loads a corpus schema, drops its functions,
// triggers and aggregates (and what depends on them) and requires the plan
// back to the full schema to recreate them exactly.
func TestCorpusRoutinesRoundTrip(t *testing.T) {
	names := []string{"pagila", "hatchet"}
	if os.Getenv("PGFLUX_CORPUS_ALL") != "" {
		names = append(names, "musicbrainz", "supabase_basejump", "postgrest_fixtures", "lago")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(corpusDir(t), name)
			sql, err := os.ReadFile(filepath.Join(dir, "schema.sql"))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if roles, err := os.ReadFile(filepath.Join(dir, "roles.sql")); err == nil {
				loadStatements(t, pgtest.NewDatabase(t).Connect(t), string(roles))
			}
			a := pgtest.NewDatabase(t)
			connA := a.Connect(t)
			loadStatements(t, connA, string(sql))
			schemas := userSchemas(t, connA)
			want := inspect(t, connA, schemas)
			if len(want.Functions) == 0 {
				t.Fatal("no functions read")
			}
			t.Logf("%s: %d functions, %d triggers, %d event triggers", name, len(want.Functions), len(want.Triggers), len(want.EventTriggers))

			// Same schema in b, without its routines.
			b := pgtest.NewDatabase(t)
			connB := b.Connect(t)
			loadStatements(t, connB, string(sql))
			// Names in the plan are qualified for a pg_catalog search path.
			if _, err := connB.Exec(ctx, "SET search_path = pg_catalog"); err != nil {
				t.Fatal(err)
			}
			for _, tr := range want.SortedTriggers() {
				if _, err := connB.Exec(ctx, "DROP TRIGGER "+model.QuoteIdent(tr.Name)+" ON "+tr.Table.String()); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range want.SortedFunctions() {
				kind := map[string]string{"a": "AGGREGATE", "p": "PROCEDURE"}[f.Kind]
				if kind == "" {
					kind = "FUNCTION"
				}
				args := f.Args
				if f.Kind == "a" && args == "" {
					args = "*"
				}
				if _, err := connB.Exec(ctx, "DROP "+kind+" IF EXISTS "+f.Name.String()+"("+args+") CASCADE"); err != nil {
					t.Fatal(err)
				}
			}
			live := inspect(t, connB, schemas)
			if len(live.Functions) != 0 {
				t.Fatalf("functions left: %d %v", len(live.Functions), live.SortedFunctions()[0].Definition)
			}
			p, err := plan.Build(live, want, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			run(t, ctx, connB, p)
			got := inspect(t, connB, schemas)
			requireSame(t, got, want, "not converged")
			again, err := plan.Build(got, want, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Steps) > 0 {
				t.Fatalf("second plan not empty:\n%s", sqlOf(again))
			}
		})
	}
}

// loadStatements runs a schema file statement by statement (some corpus
// files hold statements that cannot run in one transaction).
func loadStatements(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	stmts, err := source.Split("schema.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s.SQL); err != nil {
			t.Fatalf("%s:%d: %v", s.File, s.Line, err)
		}
	}
}

// userSchemas lists the schemas a loaded corpus file created.
func userSchemas(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT nspname FROM pg_namespace
		WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = pg_namespace.oid AND d.deptype = 'e')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}
