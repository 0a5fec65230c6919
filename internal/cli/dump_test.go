package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const adoptSchema = `
CREATE SCHEMA "Sales Dept";
COMMENT ON SCHEMA "Sales Dept" IS 'sales';
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE SEQUENCE ticket_seq START 100;
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    feeling mood
);
COMMENT ON TABLE users IS 'people';
COMMENT ON COLUMN users.email IS 'login';
CREATE INDEX users_lower_email ON users (lower(email));
CREATE TABLE "Sales Dept"."Order/Lines ""x"" é" (
    id bigserial PRIMARY KEY,
    user_id bigint REFERENCES users(id) ON DELETE CASCADE,
    note text
);
CREATE INDEX "idx ""q""" ON "Sales Dept"."Order/Lines ""x"" é" (user_id);
ALTER TABLE users ADD CONSTRAINT users_email_at CHECK (email LIKE '%@%') NOT VALID;
CREATE VIEW "Sales Dept".v AS SELECT u.email, o.note FROM users u JOIN "Sales Dept"."Order/Lines ""x"" é" o ON o.user_id = u.id;
COMMENT ON VIEW "Sales Dept".v IS 'joined';
`

func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestDumpRoundTrip: a dump of live is source that declares live exactly,
// in both layouts, with weird identifiers in file names.
func TestDumpRoundTrip(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, adoptSchema)
	p.global = append(p.global, "--schemas", `public,Sales Dept`)

	r := p.must(0, "dump")
	if r.stdout != "Wrote 7 object(s) in 6 file(s) to ./schema\n" {
		t.Errorf("dump:\n%s", r)
	}
	want := []string{
		"_global/1_schemas.sql",
		"sequences/public.ticket_seq.sql",
		"tables/Sales%20Dept.Order%2FLines%20%22x%22%20é.sql",
		"tables/public.users.sql",
		"types/public.mood.sql",
		"views/Sales%20Dept.v.sql",
	}
	got := sqlFiles(t, filepath.Join(p.dir, "schema"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	users, _ := os.ReadFile(filepath.Join(p.dir, "schema", "tables", "public.users.sql"))
	for _, s := range []string{"CREATE TABLE public.users", "CREATE INDEX users_lower_email", "COMMENT ON COLUMN public.users.email", "users_email_at CHECK ((email ~~ '%@%'::text)) NOT VALID"} {
		if !strings.Contains(string(users), s) {
			t.Errorf("tables/public.users.sql lacks %q:\n%s", s, users)
		}
	}
	if r := p.run("drift", "--strict"); r.code != 0 {
		t.Errorf("drift after dump:\n%s", r)
	}
	if r := p.must(0, "migrate", "generate"); !strings.HasPrefix(r.stdout, "No changes:") {
		t.Errorf("generate after dump:\n%s", r)
	}

	// A second dump refuses the non-empty directory, says how to proceed.
	r = p.must(2, "dump")
	if !strings.Contains(r.stderr, "refusing to dump into ./schema: the directory is not empty") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("dump into non-empty dir:\n%s", r)
	}
	// --force replaces; the flat layout is one file.
	r = p.must(0, "dump", "--force", "--layout", "flat")
	if r.stdout != "Wrote 7 object(s) in 1 file(s) to ./schema\n" {
		t.Errorf("flat dump:\n%s", r)
	}
	if got := sqlFiles(t, filepath.Join(p.dir, "schema")); len(got) != 1 || got[0] != "schema.sql" {
		t.Errorf("flat files: %v", got)
	}
	if r := p.run("drift", "--strict"); r.code != 0 {
		t.Errorf("drift after flat dump:\n%s", r)
	}
}

func TestInspect(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, adoptSchema)
	p.global = append(p.global, "--schemas", `public,Sales Dept`)

	r := p.must(0, "inspect", "--type", "table", "--object", "public.us*")
	if !strings.Contains(r.stdout, "CREATE TABLE public.users") || !strings.Contains(r.stdout, "CREATE INDEX users_lower_email") || strings.Contains(r.stdout, "Order/Lines") {
		t.Errorf("inspect table:\n%s", r)
	}
	r = p.must(0, "inspect", "--type", "indexes")
	if !strings.Contains(r.stdout, "users_lower_email") || strings.Contains(r.stdout, "CREATE TABLE") {
		t.Errorf("inspect indexes:\n%s", r)
	}
	r = p.must(0, "inspect", "--object", "v")
	if !strings.Contains(r.stdout, `CREATE VIEW "Sales Dept".v`) || strings.Contains(r.stdout, "CREATE TABLE") {
		t.Errorf("inspect view by bare name:\n%s", r)
	}
	// A function brings the dump's SET preamble, which is no object.
	p.db.Exec(t, "CREATE FUNCTION public.one() RETURNS int LANGUAGE sql AS 'SELECT 1'")
	r = p.must(0, "inspect", "--summary")
	for _, s := range []string{"TYPE", "SCHEMA", "NAME", "table ", "Order/Lines \"x\" é", "index ", "users_lower_email", "view ", "schema ", "function ", "object(s)\n"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("summary lacks %q:\n%s", s, r.stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			t.Errorf("summary has a blank row:\n%s", r.stdout)
		}
	}
	if want := fmt.Sprintf("%d object(s)", len(lines)-2); lines[len(lines)-1] != want {
		t.Errorf("summary counts %q, lists %d rows:\n%s", lines[len(lines)-1], len(lines)-2, r.stdout)
	}
	out := filepath.Join(p.dir, "inspect.sql")
	r = p.must(0, "inspect", "--out", out)
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "CREATE TYPE public.mood") || !strings.HasPrefix(r.stdout, "Wrote ") {
		t.Errorf("inspect --out:\n%s\n%s", r, b)
	}
}

// TestDumpAndVerifyNameUnmodelledObjects: objects pg-flux does not model
// are not dropped from a dump silently: dump refuses and names them unless
// --allow-unmodelled, and verify lists them (and fails with --strict).
func TestDumpAndVerifyNameUnmodelledObjects(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE t (id int);
CREATE CONVERSION conv FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
CREATE TEXT SEARCH DICTIONARY dict (TEMPLATE = simple);`)

	r := p.must(2, "dump")
	for _, s := range []string{"refusing to dump", "2 object(s) of kinds pg-flux does not model",
		"- conversion public.conv", "- text search dictionary public.dict", "--allow-unmodelled"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("dump lacks %q:\n%s", s, r)
		}
	}
	if got := sqlFiles(t, filepath.Join(p.dir, "schema")); len(got) != 0 {
		t.Errorf("refused dump wrote %v", got)
	}

	r = p.must(0, "dump", "--allow-unmodelled")
	if !strings.Contains(r.stderr, "warning: the dump leaves out 2 object(s)") || !strings.Contains(r.stderr, "- text search dictionary public.dict") {
		t.Errorf("dump --allow-unmodelled:\n%s", r)
	}

	r = p.must(1, "verify", "--strict")
	if !strings.Contains(r.stdout, "verify: 2 live object(s) of kinds pg-flux does not model") ||
		!strings.Contains(r.stdout, "- conversion public.conv") {
		t.Errorf("verify:\n%s", r)
	}
}

// TestDumpOperatorClasses: operator classes and families are dumped next
// to the operators and functions, and the dump declares live exactly.
func TestDumpOperatorClasses(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE nums (id int PRIMARY KEY, n int NOT NULL);
CREATE FUNCTION rev_cmp(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp(b, a) $$;
CREATE FUNCTION rev_lt(a int, b int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT a > b $$;
CREATE OPERATOR <<< (FUNCTION = rev_lt, LEFTARG = int, RIGHTARG = int);
CREATE OPERATOR CLASS rev_ops FOR TYPE int USING btree AS OPERATOR 1 <<<, FUNCTION 1 rev_cmp(int, int);
CREATE OPERATOR FAMILY int_hash USING hash;
ALTER OPERATOR FAMILY int_hash USING hash ADD OPERATOR 1 = (int, int), FUNCTION 1 hashint4(int);
COMMENT ON OPERATOR CLASS rev_ops USING btree IS 'descending';
CREATE INDEX nums_n_rev ON nums (n rev_ops);`)

	p.must(0, "dump")
	files := strings.Join(sqlFiles(t, filepath.Join(p.dir, "schema")), "\n")
	for _, f := range []string{"functions/public.rev_ops.sql", "functions/public.int_hash.sql"} {
		if !strings.Contains(files, f) {
			t.Errorf("dump lacks %s:\n%s", f, files)
		}
	}
	if r := p.run("drift", "--strict"); r.code != 0 {
		t.Errorf("drift after dump:\n%s", r)
	}
	if r := p.must(0, "verify", "--strict"); !strings.Contains(r.stdout, "clean") {
		t.Errorf("verify after dump:\n%s", r)
	}
}

// An inheritance schema dumps each child with INHERITS and only its own
// columns and constraints, and the dump as source finds no drift: columns
// only inherited, declared too, and with NOT NULL or a default of their own
// read back the same. The child sorts before its parents.
func TestDumpInheritance(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE z_events (id bigint NOT NULL, at timestamptz DEFAULT now(), note text, CONSTRAINT z_events_id CHECK (id > 0));
CREATE TABLE y_named (name text, note text);
CREATE TABLE a_clicks (target text, note text, CONSTRAINT a_clicks_target CHECK (target <> '')) INHERITS (z_events, y_named);
ALTER TABLE a_clicks ALTER COLUMN name SET NOT NULL, ALTER COLUMN at SET DEFAULT '2000-01-01'::timestamptz;
CREATE TABLE b_grand (extra int) INHERITS (a_clicks);
ALTER TABLE z_events ADD COLUMN source text;`)

	p.must(0, "dump")
	clicks, _ := os.ReadFile(filepath.Join(p.dir, "schema", "tables", "public.a_clicks.sql"))
	for _, s := range []string{"INHERITS (public.z_events, public.y_named)", "note text", "ALTER COLUMN name SET NOT NULL"} {
		if !strings.Contains(string(clicks), s) {
			t.Errorf("tables/public.a_clicks.sql lacks %q:\n%s", s, clicks)
		}
	}
	for _, s := range []string{"source text", "z_events_id", "id bigint"} {
		if strings.Contains(string(clicks), s) {
			t.Errorf("tables/public.a_clicks.sql declares the inherited %q:\n%s", s, clicks)
		}
	}
	if r := p.run("drift", "--strict"); r.code != 0 {
		t.Errorf("drift after dump:\n%s", r)
	}
	if r := p.run("verify", "--strict"); r.code != 0 {
		t.Errorf("verify after dump:\n%s", r)
	}
}
