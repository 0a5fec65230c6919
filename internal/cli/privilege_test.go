package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/dsn"
)

// TestReadOnlyRole: drift, verify, plan, inspect, dump and gen --from-live work with a role
// that can read (pg_read_all_data) and with one that has only what PUBLIC
// has (CONNECT, USAGE on public: the catalog is readable by every role);
// gen --from-live writes the same files as for the owner; migrate apply
// with such a role is refused before any statement of the file runs,
// naming the privileges it lacks.
func TestReadOnlyRole(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE users (id int PRIMARY KEY, email text);
CREATE INDEX users_email ON users (email);
CREATE VIEW v AS SELECT id FROM users;
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users, body text NOT NULL, m mood);
DO $$ BEGIN CREATE ROLE ro_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE ro_bare LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT pg_read_all_data TO ro_reader;`)
	p.write("schema/s.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);\nCREATE VIEW v AS SELECT id FROM users;\n"+
		"CREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users, body text NOT NULL, m mood);\n")
	// gen --from-live as the owner, to compare with each role's output.
	ownerGen := map[string]string{}
	for _, lang := range []string{"go", "python", "ts"} {
		out := filepath.Join("gen-owner", lang)
		p.must(0, "gen", "--from-live", "--lang", lang, "--out", out)
		ownerGen[lang] = readTree(t, filepath.Join(p.dir, out))
	}
	for _, role := range []string{"ro_reader", "ro_bare"} {
		t.Run(role, func(t *testing.T) {
			conn := p.db.DSN + " user=" + role
			if strings.HasPrefix(p.db.DSN, "postgres") {
				t.Fatalf("test DSN is a URL: %s", dsn.Redact(p.db.DSN))
			}
			run := func(code int, args ...string) result {
				t.Helper()
				r := pgflux(t, append(args, "--db", conn, "--shadow-dsn", p.global[3])...)
				if r.code != code {
					t.Errorf("%s as %s: exit %d, want %d\n%s", args[0], role, r.code, code, r)
				}
				return r
			}
			run(0, "drift", "--strict")
			run(0, "verify", "--strict")
			if r := run(0, "plan"); strings.Contains(r.stdout, "-- 1. ") {
				t.Errorf("plan as %s found changes:\n%s", role, r)
			}
			run(0, "inspect", "--summary")
			run(0, "dump", "--output", t.TempDir()+"/dump")
			for lang, want := range ownerGen {
				out := filepath.Join("gen-"+role, lang)
				run(0, "gen", "--from-live", "--lang", lang, "--out", out)
				if got := readTree(t, filepath.Join(p.dir, out)); got != want {
					t.Errorf("gen --from-live --lang %s as %s differs from the owner's:\n--- owner\n%s\n--- %s\n%s", lang, role, want, role, got)
				}
			}

			// The file stays pending when apply fails: the next role's plan
			// must not build on it.
			p.write("migrations/001_a.sql", "ALTER TABLE users ADD COLUMN phone text;\n")
			defer os.Remove(filepath.Join(p.dir, "migrations", "001_a.sql"))
			r := run(1, "migrate", "apply")
			t.Logf("migrate apply as %s:\n%s", role, r.stderr)
			if !strings.Contains(r.stderr, "needs ownership of relation public.users") || !strings.Contains(r.stderr, "needs CREATE on database") {
				t.Errorf("migrate apply as %s does not name the missing privilege:\n%s", role, r)
			}
			if v := p.scalar("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'phone'"); v != "0" {
				t.Error("the statement ran")
			}
		})
	}
}

// readTree returns every file under dir, by relative path, as one text.
func readTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		b.WriteString("== " + rel + "\n")
		b.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() == 0 {
		t.Fatalf("no files under %s", dir)
	}
	return b.String()
}
