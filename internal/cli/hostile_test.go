package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	edited := string(data) + "\nALTER TABLE public.users DROP COLUMN phone;\n"
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
