package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/migration"
)

// TestSourceRejectsEscapes: statements that act outside the scratch
// database the source is loaded into (the server, its file system, other
// databases, roles) or that run code instead of declaring structure are
// rejected before anything is loaded, with file:line and why.
func TestSourceRejectsEscapes(t *testing.T) {
	for _, c := range []struct{ stmt, why string }{
		{"DROP DATABASE postgres;", "DROP DATABASE is not allowed in schema files"},
		{"CREATE DATABASE other;", "CREATE DATABASE is not allowed in schema files"},
		{"ALTER SYSTEM SET archive_command = 'rm -rf /';", "ALTER SYSTEM is not allowed in schema files"},
		{"COPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned';", "COPY is not allowed in schema files"},
		{"COPY t FROM '/etc/passwd';", "COPY is not allowed in schema files"},
		{"LOAD '/tmp/evil.so';", "LOAD is not allowed in schema files"},
		{"CALL do_things();", "CALL is not allowed in schema files"},
		{"CREATE TABLESPACE ts LOCATION '/tmp/ts';", "CREATE TABLESPACE is not allowed in schema files"},
		{"ALTER ROLE postgres PASSWORD 'x';", "ALTER ROLE is not allowed in schema files"},
		{"ALTER ROLE app SET search_path = evil;", "ALTER ROLE is not allowed in schema files"},
		{"DROP ROLE app;", "DROP ROLE is not allowed in schema files"},
		{"VACUUM FULL t;", "VACUUM is not allowed in schema files"},
	} {
		t.Run(strings.Fields(c.stmt)[0]+"_"+strings.Fields(c.stmt)[1], func(t *testing.T) {
			p := newLiveProject(t)
			p.write("schema/evil.sql", "CREATE TABLE t (id int);\n\n"+c.stmt+"\n")
			for _, cmd := range [][]string{{"plan"}, {"drift"}, {"migrate", "generate"}} {
				r := p.must(2, cmd...)
				if !strings.Contains(r.stderr, "schema/evil.sql:3: "+c.why) {
					t.Errorf("%s: want schema/evil.sql:3: %s\n%s", cmd[0], c.why, r)
				}
			}
			if v := p.scalar("SELECT count(*)::text FROM pg_database WHERE datname = 'other'"); v != "0" {
				t.Error("CREATE DATABASE ran")
			}
		})
	}
}

// TestShadowConfinement: a DO block in the source runs in the shadow (real
// schemas use them), so what it can reach is confined instead: the
// embedded shadow server gets none of pg-flux's connection settings or
// credentials in its environment, so code in the source cannot use them to
// reach the live database; SET ROLE and RESET ALL in one file do not carry
// over to the next.
func TestShadowConfinement(t *testing.T) {
	p := newLiveProject(t)
	// No --shadow-dsn: the embedded shadow cluster.
	p.global = []string{"--db", p.db.DSN}
	// A directory the server's OS user (nobody, when the tests run as
	// root) can write to: the DO block reports the environment it sees.
	out, err := os.MkdirTemp("", "pg-flux-confinement-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(out) })
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(out, "env")
	t.Setenv("PGPASSWORD", "pgpassword-must-not-leak")
	t.Setenv("DATABASE_URL", "postgres://app:url-password-must-not-leak@db.example/app")
	t.Setenv("PGFLUX_SHADOW_DSN", "")
	p.write("schema/a.sql", "CREATE TABLE t (id int);\n"+
		"DO $$ BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'env > "+envFile+"'); END $$;\n"+
		"SET ROLE NONE;\nRESET ALL;\nSET search_path = nowhere;\n")
	p.write("schema/b.sql", "CREATE TABLE u (id int);\n")
	r := p.must(0, "plan")
	if !strings.Contains(r.stdout, "CREATE TABLE public.u") {
		t.Errorf("plan: the search_path of a.sql leaked into b.sql:\n%s", r)
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatalf("the DO block did not run in the shadow: %v\n%s", err, r)
	}
	for _, secret := range []string{"must-not-leak", "DATABASE_URL", "PGPASSWORD=", "HOME=/root"} {
		if strings.Contains(string(env), secret) {
			t.Errorf("the shadow server's environment holds %q:\n%s", secret, env)
		}
	}
	if !strings.Contains(string(env), "PGPASSFILE=") {
		t.Errorf("PGPASSFILE not pointed away from ~/.pgpass:\n%s", env)
	}
}

// TestEditedMigrationStillRefused: a generated migration that is edited
// afterwards to drop a column is refused at apply as DATA_LOSS, before any
// of its statements runs.
func TestEditedMigrationStillRefused(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE users (id int, phone text); INSERT INTO users VALUES (1, '555')")
	p.write("schema/users.sql", "CREATE TABLE users (id int, phone text, email text);\n")
	p.must(0, "migrate", "generate", "--label", "add_email")
	files := p.migrations()
	if len(files) != 1 {
		t.Fatalf("migrations: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// The statement goes at the end of the Up section, before the Down.
	up, down, _ := strings.Cut(string(data), migration.DownMarker)
	edited := up + "\nALTER TABLE public.users DROP COLUMN phone;\n\n" + migration.DownMarker + down
	if err := os.WriteFile(files[0], []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.must(1, "migrate", "apply")
	for _, want := range []string{"refusing to apply", "[HAZARD DATA_LOSS]", "--allow-hazards=DATA_LOSS"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("apply lacks %q:\n%s", want, r)
		}
	}
	if v := p.scalar("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'users'"); v != "2" {
		t.Errorf("users has %s column(s) after the refused apply, want the 2 it had", v)
	}
}

// hostileSchema uses names with quotes, spaces, dots, upper case, unicode,
// reserved words, 63 bytes, and one longer than 63 bytes (PostgreSQL
// truncates it, on both sides), in every kind of object and statement the
// planner emits for them.
func hostileSchema(extra string) string {
	long63 := strings.Repeat("x", 60) + "_63"
	tooLong := strings.Repeat("y", 70)
	return `CREATE SCHEMA "Sales Dept";
CREATE TYPE "Sales Dept"."Mood ""Type""" AS ENUM ('ok', 'it''s', 'ünï');
CREATE SEQUENCE "Sales Dept"."seq.v2";
CREATE TABLE "Sales Dept"."Order""s.v2" (
    "ID" bigint PRIMARY KEY,
    "sélect" text NOT NULL,
    "a b" integer CONSTRAINT "a b >= 0" CHECK ("a b" >= 0),
    "user" "Sales Dept"."Mood ""Type""",
    ` + long63 + ` integer,
    ` + tooLong + ` integer,
    CONSTRAINT "uniq ""sélect""" UNIQUE ("sélect")
);
CREATE TABLE public."user" (
    "order" integer PRIMARY KEY,
    "Order ID" bigint REFERENCES "Sales Dept"."Order""s.v2" ("ID")
);
CREATE INDEX "idx.a b" ON "Sales Dept"."Order""s.v2" ("a b", "user");
CREATE VIEW "Sales Dept"."Vüe ""1""" AS SELECT "ID", "sélect" AS "from" FROM "Sales Dept"."Order""s.v2";
CREATE FUNCTION "Sales Dept"."Fn.Do ""it"""("in put" integer) RETURNS integer LANGUAGE sql AS $$ SELECT "in put" + 1 $$;
COMMENT ON TABLE "Sales Dept"."Order""s.v2" IS 'it''s a table';
` + extra
}

// TestHostileIdentifiers: such a schema is generated, applied, dumped (file
// names escape what does not belong in a file name) and changed again
// (concurrent index builds and drops, a new column, a new enum value, a
// validated constraint), with drift clean after each step and nothing left
// to generate.
func TestHostileIdentifiers(t *testing.T) {
	p := newLiveProject(t)
	p.global = append(p.global, "--schemas", "public,Sales Dept")
	p.write("schema/all.sql", hostileSchema(""))
	step := func(what string) {
		t.Helper()
		p.must(0, "migrate", "generate", "--label", what)
		p.must(0, "migrate", "apply")
		if r := p.run("drift", "--strict"); r.code != 0 {
			t.Fatalf("drift after %s:\n%s", what, r)
		}
		if r := p.must(0, "migrate", "generate"); !strings.HasPrefix(r.stdout, "No changes:") {
			t.Fatalf("generate after %s found more:\n%s", what, r)
		}
	}
	step("create")
	// Rows, so that the next changes take their online forms.
	p.db.Exec(t, `INSERT INTO "Sales Dept"."Order""s.v2" ("ID", "sélect", "a b") SELECT g, 's' || g, g FROM generate_series(1, 100) g; ANALYZE`)

	// The dump round-trips, and names its files so that any name fits.
	p.must(0, "dump", "--output", "dumped")
	if r := p.run("drift", "--strict", "--schema", "dumped"); r.code != 0 {
		t.Errorf("drift against the dump:\n%s", r)
	}
	files := sqlFiles(t, filepath.Join(p.dir, "dumped"))
	joined := strings.Join(files, "\n")
	for _, want := range []string{`tables/Sales%20Dept.Order%22s.v2.sql`, `tables/public.user.sql`} {
		if !strings.Contains(joined, want) {
			t.Errorf("dump files lack %s:\n%s", want, joined)
		}
	}
	for _, f := range files {
		if strings.ContainsAny(f, `" `) {
			t.Errorf("dump file name %q holds a quote or a space", f)
		}
	}

	p.write("schema/all.sql", strings.Replace(hostileSchema(`CREATE INDEX "Ïdx ""2""" ON "Sales Dept"."Order""s.v2" ("sélect" DESC);
`), `CREATE INDEX "idx.a b" ON "Sales Dept"."Order""s.v2" ("a b", "user");`, "", 1))
	p.write("schema/all.sql", strings.NewReplacer(
		`'ünï');`, `'ünï', 'new ''value''');`,
		`    "user" "Sales Dept"."Mood ""Type""",`, `    "user" "Sales Dept"."Mood ""Type""",
    "Added Col" text,`,
		`CONSTRAINT "uniq ""sélect""" UNIQUE ("sélect")`, `CONSTRAINT "uniq ""sélect""" UNIQUE ("sélect"),
    CONSTRAINT "Check ""me""" CHECK ("ID" > 0)`,
	).Replace(readFile(t, filepath.Join(p.dir, "schema/all.sql"))))
	step("change")
	for _, f := range p.migrations() {
		sql := readFile(t, f)
		if strings.Contains(f, "change") {
			for _, want := range []string{`CREATE INDEX CONCURRENTLY IF NOT EXISTS "Ïdx ""2""" ON "Sales Dept"."Order""s.v2"`, `DROP INDEX CONCURRENTLY IF EXISTS "Sales Dept"."idx.a b"`, `VALIDATE CONSTRAINT "Check ""me"""`} {
				if !strings.Contains(sql, want) {
					t.Errorf("%s lacks %s:\n%s", filepath.Base(f), want, sql)
				}
			}
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
