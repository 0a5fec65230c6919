package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnmanagedSchemas is a project laid out as on Supabase: extensions live
// in the schema extensions and users in auth, neither managed; public is,
// and a table there uses extensions.citext and references auth.users. The
// source also declares the extension (as pg_dump output does). Every
// scratch database (the shadow the source loads into, the template copy of
// live on the shared server) must have what live has outside public, and
// nothing outside public is planned, dumped or dropped.
func TestUnmanagedSchemas(t *testing.T) {
	p := newSharedProject(t, `CREATE TABLE public.profiles (
    id uuid PRIMARY KEY REFERENCES auth.users (id),
    email extensions.citext NOT NULL
);
CREATE FUNCTION public.profile_by_email(e extensions.citext) RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT id FROM public.profiles WHERE email = e $$;
`)
	writeFile(t, filepath.Join(p.dir, "schema", "extensions.sql"), "CREATE SCHEMA extensions;\nCREATE EXTENSION citext WITH SCHEMA extensions;\n")
	p.db.Exec(t, `CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY DEFAULT extensions.gen_random_bytes(16)::text::uuid, email extensions.citext);
CREATE TABLE auth.sessions (id bigint PRIMARY KEY, user_id uuid REFERENCES auth.users)`)

	must := func(code int, args ...string) result {
		t.Helper()
		r := p.run(t, args...)
		if r.code != code {
			t.Fatalf("pg-flux %s: want exit %d\n%s", strings.Join(args, " "), code, r)
		}
		return r
	}
	if r := must(0, "plan"); !strings.Contains(r.stdout, "email extensions.citext NOT NULL") {
		t.Fatalf("plan:\n%s", r)
	}
	must(0, "migrate", "generate", "--label", "profiles")
	must(0, "migrate", "apply")
	must(0, "drift", "--strict")
	must(0, "verify", "--strict")

	// A second change is proven on the template copy of live, whose
	// table already uses extensions.citext and auth.users.
	writeFile(t, filepath.Join(p.dir, "schema", "main.sql"), `CREATE TABLE public.profiles (
    id uuid PRIMARY KEY REFERENCES auth.users (id),
    email extensions.citext NOT NULL,
    nick extensions.citext
);
CREATE FUNCTION public.profile_by_email(e extensions.citext) RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT id FROM public.profiles WHERE email = e $$;
`)
	must(0, "migrate", "generate", "--label", "nick")
	must(0, "migrate", "apply")
	must(0, "drift", "--strict")
	if r := must(0, "migrate", "generate", "--dry-run"); !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("generate after apply:\n%s", r)
	}

	files, _ := filepath.Glob(filepath.Join(p.dir, "migrations", "*.sql"))
	if len(files) != 2 {
		t.Fatalf("migrations: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +pg-flux Down")
		for _, bad := range []string{"CREATE EXTENSION", "CREATE SCHEMA", "auth.sessions", "CREATE TABLE auth", "DROP"} {
			if strings.Contains(up, bad) {
				t.Errorf("%s has %q:\n%s", filepath.Base(f), bad, b)
			}
		}
	}

	// Live keeps what it has outside public.
	var n int
	if err := p.db.Connect(t).QueryRow(t.Context(), `SELECT (SELECT count(*) FROM pg_extension WHERE extname IN ('citext', 'pgcrypto'))
		+ (SELECT count(*) FROM pg_tables WHERE schemaname = 'auth')`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("live lost objects outside public: %d of 4 (%v)", n, err)
	}

	// dump writes public only.
	out := filepath.Join(t.TempDir(), "dump")
	must(0, "dump", "--output", out)
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"CREATE EXTENSION", "CREATE SCHEMA extensions", "CREATE TABLE auth."} {
			if strings.Contains(string(b), bad) {
				t.Errorf("dump %s has %q:\n%s", path, bad, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
