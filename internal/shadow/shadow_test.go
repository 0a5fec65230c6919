package shadow

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/source"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// sourceSet writes files (relative path → SQL) into a schema directory and
// loads it.
func sourceSet(t *testing.T, files map[string]string) *source.Set {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "schema")
	for rel, sql := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := source.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// dsnServer opens the test server as a --shadow-dsn server.
func dsnServer(t *testing.T) *Server {
	t.Helper()
	srv, err := Open(context.Background(), Options{DSN: pgtest.ServerDSN(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// load loads the set into a fresh database of srv, as commands do
// (LoadParsing), and returns a connection to that database (closed and
// dropped after the test) and the load's error.
func load(t *testing.T, srv *Server, set *source.Set) (*pgx.Conn, error) {
	t.Helper()
	_, conn := scratchDatabase(t, srv)
	_, err := LoadParsing(context.Background(), conn, Parsed(set), nil, srv.LoadOptions(), nil)
	return conn, err
}

// scratchDatabase creates a database of srv and connects to it, both
// dropped and closed after the test.
func scratchDatabase(t *testing.T, srv *Server) (*Database, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Drop(ctx) })
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return db, conn
}

func mustLoad(t *testing.T, srv *Server, set *source.Set) *pgx.Conn {
	t.Helper()
	conn, err := load(t, srv, set)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// relations returns "schema.name:relkind" of every relation outside the
// system schemas, sorted.
func relations(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		SELECT string_agg(r, ' ' ORDER BY r) FROM (
			SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS r
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'v', 'i', 'S', 'm')) x`)
	if err != nil {
		t.Fatal(err)
	}
	var s *string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if s == nil {
		return ""
	}
	return *s
}

func queryString(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func loadError(t *testing.T, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want *LoadError", err)
	}
	return le
}

func TestLoadInOneBatch(t *testing.T) {
	srv := dsnServer(t)
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		"1_users.sql":  "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);",
		"2_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE VIEW order_users AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id;",
	}))
	if got, want := relations(t, conn), "public.order_users:v public.orders:r public.orders_pkey:i public.users:r public.users_pkey:i"; got != want {
		t.Errorf("relations = %s, want %s", got, want)
	}
	if got := queryString(t, conn, "SELECT current_setting('search_path')"); got != `"$user", public` {
		t.Errorf("search_path left as %q", got)
	}
}

func TestLoadOutOfDependencyOrder(t *testing.T) {
	srv := dsnServer(t)
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		// The view's file sorts before the tables', the FK points at a
		// table of a later file, and a function needs a type declared last.
		"a_views.sql":    "CREATE VIEW active_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.status <> 'cancelled';",
		"b_orders.sql":   "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint NOT NULL REFERENCES users (id),\n  status order_status NOT NULL DEFAULT 'new'\n);\nCREATE INDEX orders_user ON orders (user_id);",
		"c_users.sql":    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);",
		"d_types.sql":    "CREATE TYPE order_status AS ENUM ('new', 'paid', 'cancelled');",
		"e_function.sql": "CREATE FUNCTION order_count(u bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE user_id = u; $$;",
	}))
	want := "public.active_orders:v public.orders:r public.orders_pkey:i public.orders_user:i public.users:r public.users_email_key:i public.users_pkey:i"
	if got := relations(t, conn); got != want {
		t.Errorf("relations = %s\nwant %s", got, want)
	}
	if got := queryString(t, conn, "SELECT count(*)::text FROM pg_constraint WHERE conname = 'orders_user_id_fkey'"); got != "1" {
		t.Error("foreign key missing")
	}
}

// A partition whose file sorts before its parent's is created on a retry;
// were the parent's ON ONLY index there by then, the partition would get a
// copy of it and its own index, attached by name, would not attach.
func TestLoadPartitionIndexAttachedOutOfOrder(t *testing.T) {
	srv := dsnServer(t)
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		"a_part.sql":   "CREATE TABLE builds_1 PARTITION OF builds FOR VALUES IN (1);\nCREATE INDEX builds_1_custom ON builds_1 (commit_id);\nALTER INDEX builds_commit ATTACH PARTITION builds_1_custom;",
		"b_parent.sql": "CREATE TABLE builds (part bigint NOT NULL, commit_id bigint) PARTITION BY LIST (part);\nCREATE INDEX builds_commit ON ONLY builds (commit_id);",
	}))
	if got, want := relations(t, conn), "public.builds_1:r public.builds_1_custom:i"; got != want { // no copy of builds_commit
		t.Errorf("relations = %s, want %s", got, want)
	}
	if got := queryString(t, conn, "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'builds_commit'::regclass"); got != "true" {
		t.Errorf("builds_commit valid = %s, want true (builds_1_custom attached)", got)
	}
}

// Default privileges and event triggers act on what is created after them,
// so the shadow runs them last, after retries too: no object the source
// declares picks up privileges it does not declare, and no event trigger
// fires on the source's own statements, whatever the file order.
func TestLoadRunsDefaultPrivilegesAndEventTriggersLast(t *testing.T) {
	srv := dsnServer(t)
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		"_global/a.sql": `CREATE TABLE ddl_log (tag text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO ddl_log VALUES (tg_tag); END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION log_ddl();
COMMENT ON EVENT TRIGGER log_ddl IS 'logs DDL';
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;`,
		"a_tables.sql": "CREATE TABLE moods (m mood);",
		"b_types.sql":  "CREATE TYPE mood AS ENUM ('sad', 'happy');",
		"d_later.sql":  "CREATE TABLE later (m mood);",
	}))
	for _, table := range []string{"moods", "later", "ddl_log"} {
		if got := queryString(t, conn, "SELECT coalesce(relacl::text, 'default') FROM pg_class WHERE relname = '"+table+"'"); got != "default" {
			t.Errorf("%s has ACL %s, want the default: the default privileges are set after every table", table, got)
		}
	}
	if got := queryString(t, conn, "SELECT coalesce(string_agg(tag, ', '), '') FROM ddl_log WHERE tag LIKE 'CREATE%'"); got != "" {
		t.Errorf("the event trigger fired on the source's %s, want it created after them", got)
	}
	if got := queryString(t, conn, "SELECT coalesce(obj_description(oid, 'pg_event_trigger'), '') FROM pg_event_trigger WHERE evtname = 'log_ddl'"); got != "logs DDL" {
		t.Errorf("event trigger comment = %q", got)
	}
}

// pgDumpPrelude is the start of a pg_dump file: it empties search_path.
const pgDumpPrelude = `SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
`

func TestLoadPgDumpSettingsStayInTheirFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
	}{
		{"batch", map[string]string{
			"a_dump.sql":  pgDumpPrelude + "CREATE TABLE public.dumped (id integer NOT NULL);\n",
			"b_plain.sql": "CREATE TABLE plain (id int);\nCREATE VIEW plain_ids AS SELECT id FROM plain;",
		}},
		{"statement by statement", map[string]string{
			// The dump's view needs a table of a later file, so the batch
			// fails and the view is retried: with the dump's settings.
			"a_dump.sql":  pgDumpPrelude + "CREATE TABLE public.dumped (id integer NOT NULL);\nCREATE VIEW public.dumped_view AS SELECT id FROM public.plain;\nCREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.declared_nowhere';\n",
			"b_plain.sql": "CREATE TABLE plain (id int);\nCREATE VIEW plain_ids AS SELECT id FROM plain;",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := mustLoad(t, dsnServer(t), sourceSet(t, tc.files))
			got := relations(t, conn)
			for _, want := range []string{"public.dumped:r", "public.plain:r", "public.plain_ids:v"} {
				if !strings.Contains(got, want) {
					t.Errorf("relations %s lack %s", got, want)
				}
			}
		})
	}
}

func TestLoadRetriedStatementGetsItsFileSettings(t *testing.T) {
	srv := dsnServer(t)
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		// Without a.sql's search_path on retry, the view would not find
		// app.items (and would land in public).
		"a.sql": "SET search_path = app;\nCREATE VIEW item_names AS SELECT name FROM items;",
		"b.sql": "CREATE SCHEMA app;\nCREATE TABLE app.items (name text);",
		"c.sql": "CREATE TABLE notes (body text);",
	}))
	if got, want := relations(t, conn), "app.item_names:v app.items:r public.notes:r"; got != want {
		t.Errorf("relations = %s, want %s", got, want)
	}
}

func TestLoadReportsFailuresWithFileAndLine(t *testing.T) {
	srv := dsnServer(t)
	set := sourceSet(t, map[string]string{
		"tables.sql": "CREATE TABLE t (id int);\n\nCREATE TABLE u (\n  id int,\n  kind nosuchtype\n);\nCREATE TABLE t (id int);\nALTER TABLE t ADD CONSTRAINT positive CHECK (id > 'abc');\nCREATE TABLE fine (id int);",
		"views.sql":  "CREATE VIEW v AS SELECT lower(1) AS x;",
	})
	_, err := load(t, srv, set)
	le := loadError(t, err)
	msg := err.Error()
	for _, want := range []string{
		"4 statement(s) failed in the shadow database",
		"tables.sql:5: type \"nosuchtype\" does not exist",
		"tables.sql:7: relation \"t\" already exists",
		"tables.sql:8: invalid input syntax for type integer: \"abc\"",
		"views.sql:1: function lower(integer) does not exist\n  HINT: No function matches the given name and argument types",
		"still missing after every other statement ran",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(le.Failures) != 4 || le.Failures[0].Statement.Line != 3 || le.Failures[0].Line != 5 || le.Failures[0].Code != "42704" {
		t.Errorf("failures = %+v", le.Failures)
	}
	for i := 1; i < len(le.Failures); i++ {
		a, b := le.Failures[i-1].Statement, le.Failures[i].Statement
		if a.File > b.File || (a.File == b.File && a.Line > b.Line) {
			t.Errorf("failures out of source order: %s:%d before %s:%d", a.File, a.Line, b.File, b.Line)
		}
	}
}

func TestLoadReportsUnresolvableCycle(t *testing.T) {
	srv := dsnServer(t)
	_, err := load(t, srv, sourceSet(t, map[string]string{
		"a.sql": "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b (id));",
		"b.sql": "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));",
		"c.sql": "CREATE VIEW missing_view AS SELECT * FROM declared_nowhere;",
	}))
	le := loadError(t, err)
	msg := err.Error()
	for _, want := range []string{"a.sql:1: relation \"b\" does not exist", "b.sql:1: relation \"a\" does not exist", "c.sql:1: relation \"declared_nowhere\" does not exist"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	for _, f := range le.Failures {
		if !f.Unresolved {
			t.Errorf("%s not marked unresolved", f)
		}
	}
}

func TestLoadConcurrentIndex(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"batch": {
			"a.sql": "CREATE TABLE t (id int, note text);\nCREATE INDEX CONCURRENTLY t_note ON t (note);\nCREATE INDEX t_id ON t (id);",
		},
		"after the batch, with its file's settings": {
			"a.sql": "SET search_path = app;\nCREATE INDEX CONCURRENTLY t_note ON t (note);",
			"b.sql": "CREATE SCHEMA app;\nCREATE TABLE app.t (id int, note text);\nCREATE INDEX t_id ON app.t (id);",
		},
		"statement by statement": {
			"a.sql": "CREATE VIEW v AS SELECT * FROM t;\nCREATE INDEX CONCURRENTLY t_note ON t (note);",
			"b.sql": "CREATE TABLE t (id int, note text);\nCREATE INDEX t_id ON t (id);",
		},
	} {
		t.Run(name, func(t *testing.T) {
			conn := mustLoad(t, dsnServer(t), sourceSet(t, files))
			if got := queryString(t, conn, "SELECT string_agg(c.relname || ':' || i.indisvalid, ' ' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('t_note', 't_id')"); got != "t_id:true t_note:true" {
				t.Errorf("indexes: %s", got)
			}
		})
	}
}

func TestLoadCleanPreludeDoesNotUndoTheSource(t *testing.T) {
	srv := dsnServer(t)
	// pg_dump --clean without --if-exists: the drops fail on an empty
	// database and must not be retried once the objects exist.
	conn := mustLoad(t, srv, sourceSet(t, map[string]string{
		"dump.sql": pgDumpPrelude + `ALTER TABLE ONLY public.orders DROP CONSTRAINT orders_user_fkey;
DROP TABLE public.orders;
DROP TABLE public.users;
CREATE TABLE public.users (id integer NOT NULL);
CREATE TABLE public.orders (id integer, user_id integer);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);
`,
	}))
	if got := queryString(t, conn, "SELECT count(*)::text FROM pg_constraint WHERE conname IN ('orders_user_fkey', 'users_pkey')"); got != "2" {
		t.Errorf("constraints left: %s, want 2", got)
	}
	if got := relations(t, conn); got != "public.orders:r public.users:r public.users_pkey:i" {
		t.Errorf("relations = %s", got)
	}
}

func TestLoadEnumValueAddedThenUsed(t *testing.T) {
	conn := mustLoad(t, dsnServer(t), sourceSet(t, map[string]string{
		"a.sql": "CREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE people (m mood DEFAULT 'happy');",
	}))
	if got := queryString(t, conn, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef"); got != "'happy'::mood" {
		t.Errorf("default = %s", got)
	}
}

func TestLoadSkipsUnknownSettings(t *testing.T) {
	conn := mustLoad(t, dsnServer(t), sourceSet(t, map[string]string{
		// A newer pg_dump writes settings an older shadow does not know.
		"a.sql": "SET pgflux_no_such_setting = 0;\nSET search_path = '';\nSELECT pg_catalog.set_config('pgflux_other_unknown', '0', false);\nCREATE TABLE public.t (id int);",
		"b.sql": "CREATE TABLE u (id int);",
	}))
	if got := relations(t, conn); got != "public.t:r public.u:r" {
		t.Errorf("relations = %s", got)
	}
}

func TestLoadMissingExtension(t *testing.T) {
	srv := dsnServer(t)
	_, err := load(t, srv, sourceSet(t, map[string]string{"ext.sql": "CREATE TABLE t (id int);\nCREATE EXTENSION pgflux_no_such_extension;"}))
	le := loadError(t, err)
	if len(le.Failures) != 1 {
		t.Fatalf("failures: %v", err)
	}
	f := le.Failures[0]
	if f.Line != 2 || !strings.Contains(f.Message, `extension "pgflux_no_such_extension" is not available on the shadow server`) || !strings.Contains(f.Hint, "install the extension") {
		t.Errorf("got %s", f)
	}
}

func TestLoadRolesOnShadowDSNAreNotCreated(t *testing.T) {
	srv := dsnServer(t)
	_, err := load(t, srv, sourceSet(t, map[string]string{"a.sql": "CREATE TABLE t (id int);\nGRANT SELECT ON t TO pgflux_test_no_such_role;"}))
	le := loadError(t, err)
	if f := le.Failures[0]; f.Line != 2 || !strings.Contains(f.Message, `role "pgflux_test_no_such_role" does not exist`) || !strings.Contains(f.Hint, "create the role there") {
		t.Errorf("got %s", f)
	}
}

func TestEmbeddedServer(t *testing.T) {
	ctx := context.Background()
	srv, err := Open(ctx, Options{Major: pgtest.Major()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !srv.Embedded() || srv.Major() != pgtest.Major() {
		t.Errorf("Embedded() = %v, Major() = %d", srv.Embedded(), srv.Major())
	}

	// Roles the source references are created; CREATE ROLE in source
	// survives a second load into the same cluster.
	set := sourceSet(t, map[string]string{
		"a_roles.sql":  "CREATE ROLE app_admin NOLOGIN;",
		"b_tables.sql": "CREATE TABLE t (id int);\nALTER TABLE t OWNER TO app_owner;\nGRANT SELECT ON t TO reader, \"Odd Role\";\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON t TO app_admin, writer USING (true);",
	})
	for i := 0; i < 2; i++ {
		conn := mustLoad(t, srv, set)
		if got := queryString(t, conn, "SELECT string_agg(rolname, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('app_admin', 'app_owner', 'reader', 'Odd Role', 'writer') AND NOT rolcanlogin"); got != "Odd Role app_admin app_owner reader writer" {
			t.Errorf("load %d: roles = %s", i, got)
		}
		if got := queryString(t, conn, "SELECT tableowner FROM pg_tables WHERE tablename = 't'"); got != "app_owner" {
			t.Errorf("owner = %s", got)
		}
	}

	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.Connect(ctx, db.DSN); err == nil {
		conn.Close(ctx)
		t.Error("embedded server still accepts connections after Close")
	}
}

func TestOpenWithoutBinaries(t *testing.T) {
	t.Setenv("PGFLUX_PG_BINDIR", "")
	_, err := Open(context.Background(), Options{Major: 9})
	if err == nil {
		t.Fatal("Open found PostgreSQL 9 binaries")
	}
	if !errors.Is(err, pgserver.ErrNoBinaries) {
		t.Errorf("error does not wrap ErrNoBinaries: %v", err)
	}
	for _, want := range []string{"--shadow-dsn", "PGFLUX_SHADOW_DSN", "PostgreSQL 9 server binaries", "PGFLUX_PG_BINDIR", "cache directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestShadowDSNServerCopiesFiles checks that a --shadow-dsn server with
// fsync off, like the test server (on PostgreSQL 15 and later), gets its
// scratch databases by file copy:
// a few hundred bytes of WAL, not template0's 7 MB of pages. It is not
// parallel, so that no other test writes WAL meanwhile.
func TestShadowDSNServerCopiesFiles(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var fsyncOff bool
	if err := admin.QueryRow(ctx, "SELECT current_setting('fsync') = 'off'").Scan(&fsyncOff); err != nil {
		t.Fatal(err)
	}
	srv := dsnServer(t)
	// Before 15 a file copy is the only way; with fsync on, pages go
	// through the WAL rather than force two costly checkpoints.
	want := pgtest.Major() >= 15 && fsyncOff
	if got := srv.strategy() != ""; got != want {
		t.Fatalf("PostgreSQL %d, fsync off: %v: STRATEGY FILE_COPY asked for: %v, want %v", pgtest.Major(), fsyncOff, got, want)
	}
	if !want {
		return
	}
	var before string
	if err := admin.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&before); err != nil {
		t.Fatal(err)
	}
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	var wal int64
	if err := admin.QueryRow(ctx, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint", before).Scan(&wal); err != nil {
		t.Fatal(err)
	}
	if wal > 1<<20 {
		t.Errorf("creating a scratch database wrote %d bytes of WAL: it was not a file copy", wal)
	}
}

func TestCloseLeavesNoDatabases(t *testing.T) {
	ctx := context.Background()
	srv, err := Open(ctx, Options{DSN: pgtest.ServerDSN(t)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := 0; i < 3; i++ {
		db, err := srv.CreateDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(db.Name, DatabasePrefix) {
			t.Errorf("database name %s", db.Name)
		}
		names = append(names, db.Name)
		if i == 0 {
			if err := db.Drop(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A session still connected to a database does not keep it alive.
	d, _ := srv.CreateDatabase(ctx)
	names = append(names, d.Name)
	conn, err := d.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// One dropped in the background (the loaded source's, once read) goes
	// while the server is open, its session ended.
	later, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, later.Name)
	laterConn, err := later.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer laterConn.Close(ctx)
	admin, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	later.dropLater(ctx)
	for i := 0; ; i++ {
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", later.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if i == 500 {
			t.Fatalf("%s, dropped in the background, is still there after 10 s", later.Name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = ANY($1)", names).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d shadow database(s) left behind", left)
	}
}

// TestAdminSessionsAreReused: a server's maintenance work (create, rename,
// drop) reuses its sessions, since a new one costs a backend start. One an
// error other than the server's may have broken, or one left in a
// transaction, is closed; no more than maxIdleAdmin are kept.
func TestAdminSessionsAreReused(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	srv.spareWG.Wait() // the spare made at open: nothing else uses the sessions now
	backend := func(fn func(conn *pgx.Conn) error) uint32 {
		t.Helper()
		var pid uint32
		srv.withAdmin(ctx, func(conn *pgx.Conn) error {
			pid = conn.PgConn().PID()
			return fn(conn)
		})
		return pid
	}
	ok := func(*pgx.Conn) error { return nil }
	first := backend(ok)
	if again := backend(ok); again != first {
		t.Fatalf("a second call opened backend %d, the first's %d was free", again, first)
	}
	// The server's own error leaves the session usable.
	failed := backend(func(conn *pgx.Conn) error { _, err := conn.Exec(ctx, "SELECT 1/0"); return err })
	if pid := backend(ok); pid != failed {
		t.Errorf("a session was not kept after a division by zero: backend %d, want %d", pid, failed)
	}
	for name, fn := range map[string]func(*pgx.Conn) error{
		"another error":       func(*pgx.Conn) error { return errors.New("broken") },
		"an open transaction": func(conn *pgx.Conn) error { _, err := conn.Exec(ctx, "BEGIN"); return err },
		"a closed connection": func(conn *pgx.Conn) error { return conn.Close(ctx) },
	} {
		gone := backend(fn)
		if pid := backend(ok); pid == gone {
			t.Errorf("the session was kept after %s", name)
		}
	}

	// Three at once: two are kept. Each holds its session until all
	// three hold one (an empty idle list does not say so: two may hold
	// the kept ones while the third has not asked yet).
	var wg sync.WaitGroup
	var holding atomic.Int32
	held := make(chan struct{})
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.withAdmin(ctx, func(*pgx.Conn) error { holding.Add(1); <-held; return nil })
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); holding.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	close(held)
	wg.Wait()
	srv.mu.Lock()
	idle := len(srv.idleAdmin)
	srv.mu.Unlock()
	if idle != maxIdleAdmin {
		t.Errorf("%d sessions kept after three at once, want %d", idle, maxIdleAdmin)
	}
	srv.Close()
	srv.mu.Lock()
	idle = len(srv.idleAdmin)
	srv.mu.Unlock()
	if idle != 0 {
		t.Errorf("%d sessions still kept after Close", idle)
	}
}

// TestFirstSpareComesWithASession: the database made at open, which the
// source loads into, comes with its first session (a backend start off
// the loading's path); a spare nobody used goes to a shared server's pool
// with that session closed, or it could not be renamed.
func TestFirstSpareComesWithASession(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	opened := db.opened
	if opened == nil {
		t.Fatal("the spare made at open came without a session")
	}
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if conn != opened || queryString(t, conn, "SELECT current_database()") != db.Name {
		t.Errorf("Connect did not return the session opened ahead on %s", db.Name)
	}
	again, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	if again.PgConn().PID() == conn.PgConn().PID() {
		t.Error("the session opened ahead was handed out twice")
	}
	// A later spare is for a rare second database: no session ahead.
	later, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer later.Drop(ctx)
	if later.opened != nil {
		t.Error("a later spare came with a session")
	}

	shared, err := Open(ctx, Options{Major: pgtest.Major()})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	shared.spareWG.Wait()
	shared.mu.Lock()
	r := <-shared.spare
	shared.spare <- r
	shared.mu.Unlock()
	if r.err != nil || r.db.opened == nil {
		t.Fatalf("the shared server's spare: %v, session %v", r.err, r.db != nil && r.db.opened != nil)
	}
	for _, n := range databases(t, shared) {
		if strings.HasPrefix(n, poolPrefix) { // left by other tests
			if err := shared.drop(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := shared.Close(); err != nil {
		t.Fatal(err)
	}
	names := databases(t, shared)
	if contains(names, r.db.Name) {
		t.Errorf("the unused spare %s is still there after Close: %v", r.db.Name, names)
	}
	pooled := 0
	for _, n := range names {
		if strings.HasPrefix(n, poolPrefix) {
			pooled++
		}
	}
	if pooled != 1 {
		t.Errorf("the unused spare did not go to the pool: %v", names)
	}
}

// TestLaterSparesGoToThePool: on the shared server, the database after the
// first is made straight into the pool. The command's own next
// CreateDatabase takes it from there; one it never asks for is the next
// command's, with nothing to rename as the command ends.
func TestLaterSparesGoToThePool(t *testing.T) {
	ctx := context.Background()
	srv, err := Open(ctx, Options{Major: pgtest.Major()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.spareWG.Wait()
	pool := func() []string {
		var names []string
		for _, n := range databases(t, srv) {
			if strings.HasPrefix(n, poolPrefix) {
				names = append(names, n)
			}
		}
		return names
	}
	for _, n := range pool() { // left by other tests
		if err := srv.drop(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	first, err := srv.CreateDatabase(ctx) // the spare made at open
	if err != nil {
		t.Fatal(err)
	}
	defer first.Drop(ctx)
	srv.spareWG.Wait()
	made := pool()
	if len(made) != 1 {
		t.Fatalf("after the first database the pool holds %v, want the one made next", made)
	}
	srv.mu.Lock()
	outside := srv.spare != nil
	srv.mu.Unlock()
	if outside {
		t.Error("a spare is being made outside the pool")
	}
	second, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Drop(ctx)
	if contains(databases(t, srv), made[0]) {
		t.Errorf("the second database did not come from the pool: %s is still there", made[0])
	}
	srv.spareWG.Wait()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(pool()); n != 1 {
		t.Errorf("%d databases in the pool after Close, want the one made after the second", n)
	}
	for _, n := range databases(t, srv) {
		if strings.HasPrefix(n, DatabasePrefix+strconv.Itoa(os.Getpid())+"_") {
			t.Errorf("%s left behind", n)
		}
	}
}

// TestEndSessionsWaitsForTheBackends: once endSessions returns, the server
// no longer counts the sessions' backends, so a DROP DATABASE that follows
// does not wait for them; one session or two ended together.
func TestEndSessionsWaitsForTheBackends(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	defer srv.Close()
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	admin, err := pgx.Connect(ctx, srv.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for i := range 20 {
		conns := make([]*pgx.Conn, 1+i%2)
		pids := make([]uint32, len(conns))
		for j := range conns {
			if conns[j], err = db.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			pids[j] = conns[j].PgConn().PID()
		}
		endSessions(ctx, append(conns, nil)...)
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", pids).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("round %d: %d of backends %v still there after endSessions", i, n, pids)
		}
	}
}

// TestCloseDropsOrphans: on the shared server, the scratch databases of a
// command that was killed are dropped by the next command's Close.
func TestCloseDropsOrphans(t *testing.T) {
	ctx := context.Background()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	orphan := DatabasePrefix + strconv.Itoa(gone.Process.Pid) + "_00ff"
	srv, err := Open(ctx, Options{Major: pgtest.Major()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.withAdmin(ctx, func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+orphan)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if contains(databases(t, srv), orphan) {
		t.Errorf("%s, whose command is gone, is still there after Close", orphan)
	}
}

// freshSession keeps the backend (its catalog caches are warm) and discards
// everything a session can carry: settings, role, prepared statements,
// temporary tables. A session it cannot discard (inside a failed
// transaction) is replaced by a new connection in the same clean state.
func TestFreshSessionDiscardsStateAndKeepsTheBackend(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pid := conn.PgConn().PID()
	user := queryString(t, conn, "SELECT current_user")
	for _, sql := range []string{
		"SET search_path = nowhere",
		"SET statement_timeout = 1234",
		"CREATE TEMP TABLE scratch (id int)",
		"SET ROLE pg_monitor", // a built-in role: nothing to clean up
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	queryString(t, conn, "SELECT current_setting('search_path')") // a prepared statement pgx caches
	check := func(conn *pgx.Conn) {
		t.Helper()
		for sql, want := range map[string]string{
			"SELECT current_user":                         user,
			"SELECT current_setting('search_path')":       `"$user", public`,
			"SELECT current_setting('statement_timeout')": "0",
			"SELECT count(*)::text FROM pg_class WHERE relname = 'scratch' AND relpersistence = 't'": "0",
		} {
			if got := queryString(t, conn, sql); got != want {
				t.Errorf("%s = %q after freshSession, want %q", sql, got, want)
			}
		}
	}
	conn, err = freshSession(ctx, db, conn)
	if err != nil {
		t.Fatal(err)
	}
	if conn.PgConn().PID() != pid {
		t.Errorf("freshSession opened a new backend (%d, was %d): the catalog caches are cold again", conn.PgConn().PID(), pid)
	}
	check(conn)

	// A failed transaction cannot be discarded: a new connection instead.
	conn.Exec(ctx, "BEGIN")
	conn.Exec(ctx, "SET search_path = nowhere")
	conn.Exec(ctx, "SELECT 1/0")
	pid = conn.PgConn().PID()
	conn, err = freshSession(ctx, db, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if conn.PgConn().PID() == pid {
		t.Error("a session in a failed transaction was kept")
	}
	check(conn)
}
