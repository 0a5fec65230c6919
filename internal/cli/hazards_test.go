package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each catalogue entry of docs/hazards.md against a real PostgreSQL: the
// exact message, the exit code, and that nothing ran when refused.

// handWritten puts a hand-written migration file in migrations/.
func (p *liveProject) handWritten(name, sql string) string {
	p.write(filepath.Join("migrations", name), sql)
	return filepath.Join("migrations", name)
}

func (p *liveProject) count(query string) string { return p.scalar("SELECT (" + query + ")::text") }

func TestCatalogueBlockingHazards(t *testing.T) {
	cases := []struct {
		kind  string
		live  string // live database before
		sql   string // the hand-written migration
		want  string // the finding, as printed
		check string // query whose value must not change when refused
	}{
		{"DATA_LOSS", "CREATE TABLE users (id int, legacy_phone text); CREATE TABLE keep1 (id int); CREATE TABLE keep2 (id int); CREATE TABLE keep3 (id int)",
			"ALTER TABLE users DROP COLUMN legacy_phone;",
			"[HAZARD DATA_LOSS] Drops column public.users.legacy_phone",
			"SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'legacy_phone'"},
		{"COLUMN_TYPE_CHANGE", "CREATE TABLE events (tenant_id int)",
			"ALTER TABLE events ALTER COLUMN tenant_id TYPE bigint USING tenant_id::bigint;",
			"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.tenant_id TYPE bigint USING tenant_id::bigint",
			"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'tenant_id'"},
		{"CONSTRAINT_SCAN", "CREATE TABLE users (id int)",
			"ALTER TABLE users ADD CONSTRAINT id_positive CHECK (id > 0);",
			"[HAZARD CONSTRAINT_SCAN] Adding constraint may scan table",
			"SELECT count(*) FROM pg_constraint WHERE conname = 'id_positive'"},
		{"TABLE_REWRITE", "CREATE TABLE events (id int)",
			"ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid();",
			"[HAZARD TABLE_REWRITE] Adds column public.events.token with volatile default gen_random_uuid(): rewrites the table under ACCESS EXCLUSIVE lock",
			"SELECT count(*) FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'token'"},
		{"NOT_NULL_WITHOUT_DEFAULT", "CREATE TABLE users (id int); INSERT INTO users VALUES (1); ANALYZE users",
			"ALTER TABLE users ADD COLUMN tier text NOT NULL;",
			"[HAZARD NOT_NULL_WITHOUT_DEFAULT] Adds NOT NULL column public.users.tier without a default to a table with rows: add it nullable, backfill it, then SET NOT NULL",
			"SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'tier'"},
		{"NON_CONCURRENT_INDEX", "CREATE TABLE users (email text)",
			"CREATE INDEX users_email_idx ON users (email);",
			"[HAZARD NON_CONCURRENT_INDEX] Creates index public.users_email_idx without CONCURRENTLY: blocks writes to public.users while it builds",
			"SELECT count(*) FROM pg_class WHERE relname = 'users_email_idx'"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			p := newLiveProject(t)
			p.db.Exec(t, c.live)
			p.write("schema/main.sql", "-- unused by migrate apply\n")
			file := p.handWritten("20260101_000000_change.sql", c.sql)
			before := p.count(c.check)

			// lint: the finding with file:line, exit 1.
			r := p.must(1, "lint", file)
			if want := file + ":1: " + c.want + "\n"; r.stdout != want {
				t.Errorf("lint stdout = %q, want %q", r.stdout, want)
			}

			// migrate apply: refused, nothing ran, not even the ledger row.
			r = p.must(1, "migrate", "apply")
			if !strings.Contains(r.stderr, c.want+"\n") || !strings.Contains(r.stderr, "--allow-hazards="+c.kind) {
				t.Errorf("refusal does not show %q and how to allow it:\n%s", c.want, r)
			}
			if after := p.count(c.check); after != before {
				t.Errorf("refused apply changed the database: %s → %s", before, after)
			}
			// A refused apply writes nothing, not even the ledger table.
			if n := p.count("SELECT count(*) FROM pg_namespace WHERE nspname = '_pgflux'"); n != "0" {
				t.Errorf("refused apply created the ledger")
			}

			if c.kind == "NOT_NULL_WITHOUT_DEFAULT" {
				// PostgreSQL itself refuses it: allowing only moves the error.
				return
			}
			// Allowed: it runs, the allowance is logged and kept in the ledger.
			r = p.must(0, "migrate", "apply", "--allow-hazards="+c.kind, "--log-format", "json")
			if !strings.Contains(r.stderr, `"msg":"hazard_allowed"`) || !strings.Contains(r.stderr, `"hazard":"`+c.kind+`"`) {
				t.Errorf("no hazard_allowed log line:\n%s", r)
			}
			if got := p.count("SELECT array_to_string(allowed_hazards, '|') FROM _pgflux.migrations"); got != c.want {
				t.Errorf("ledger allowed_hazards = %q, want %q", got, c.want)
			}
			if after := p.count(c.check); after == before {
				t.Errorf("allowed apply did not run (%s still %s)", c.check, after)
			}
		})
	}
}

func TestCatalogueAllowedInConfig(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE users (id int, legacy_phone text); CREATE TABLE a (id int); CREATE TABLE b (id int); CREATE TABLE c (id int)")
	p.write(".pg-flux.yml", "allow_hazards: [DATA_LOSS]\n")
	p.write("schema/main.sql", "-- unused\n")
	p.handWritten("20260101_000000_drop.sql", "ALTER TABLE users DROP COLUMN legacy_phone;")
	r := p.must(0, "migrate", "apply", "--log-format", "json")
	if !strings.Contains(r.stderr, `"msg":"hazard_allowed"`) || !strings.Contains(r.stderr, `"hazard":"DATA_LOSS"`) {
		t.Errorf("pre-allowed hazard not logged:\n%s", r)
	}
	if got := p.count("SELECT array_to_string(allowed_hazards, '|') FROM _pgflux.migrations"); got != "[HAZARD DATA_LOSS] Drops column public.users.legacy_phone" {
		t.Errorf("ledger allowed_hazards = %q", got)
	}
}

func TestCatalogueAdvisories(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE users (id int, name text); CREATE ROLE pgflux_reporting_test")
	t.Cleanup(func() { p.db.Exec(t, "DROP OWNED BY pgflux_reporting_test; DROP ROLE pgflux_reporting_test") })
	p.write("schema/main.sql", "-- unused\n")
	file := p.handWritten("20260101_000000_adv.sql", `ALTER TABLE users RENAME COLUMN name TO full_name;
GRANT SELECT ON users TO pgflux_reporting_test;
ALTER TABLE users ADD CONSTRAINT id_positive CHECK (id > 0) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT id_positive;
`)
	r := p.must(0, "lint", file)
	want := file + ":1: [ADVISORY RENAME] Renames column public.users.name to full_name: clients still using the old name will fail\n" +
		file + ":2: [ADVISORY PRIVILEGE_CHANGE] Grants privileges on table(s): changes what roles may do\n" +
		file + ":4: [ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock\n"
	if r.stdout != want {
		t.Errorf("lint stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	// Advisories never block.
	p.must(0, "migrate", "apply")
}

// TestStaleValuesOfReplacedImmutableFunction: replacing an IMMUTABLE
// function in place leaves what its old body computed in the indexes,
// stored generated columns and materialized views that use it; the
// advisory names those the migration does not rebuild after it.
func TestStaleValuesOfReplacedImmutableFunction(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE FUNCTION norm(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(s) $$;
CREATE FUNCTION other(s text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT s $$;
CREATE TABLE users (id int, email text, key text GENERATED ALWAYS AS (norm(email)) STORED);
CREATE INDEX users_norm ON users (norm(email));
CREATE INDEX users_rebuilt ON users (norm(email || 'x'));
CREATE MATERIALIZED VIEW user_keys AS SELECT norm(email) AS k FROM users;`)
	p.write("schema/main.sql", "-- unused\n")
	file := p.handWritten("20260101_000000_norm.sql", `CREATE OR REPLACE FUNCTION norm(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(s) $$;
CREATE OR REPLACE FUNCTION other(s text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper(s) $$;
REINDEX INDEX CONCURRENTLY users_rebuilt;
`)
	r := p.must(0, "lint", file)
	want := file + ":1: [ADVISORY STALE_VALUES] Replaces IMMUTABLE function public.norm(s text) in place: generated column public.users.key, " +
		"index public.users_norm, materialized view public.user_keys keep what its old body computed, and PostgreSQL recomputes none of them; " +
		"if its results change, rebuild them (REINDEX INDEX CONCURRENTLY, an UPDATE of the rows, REFRESH MATERIALIZED VIEW)\n"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "other(") || strings.Contains(r.stdout, "users_rebuilt") {
		t.Errorf("lint stdout:\n%s\nwant the line:\n%s", r.stdout, want)
	}

	// The same change declared in source: the plan says so too.
	p.write("schema/main.sql", `CREATE FUNCTION norm(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(s) $$;
CREATE FUNCTION other(s text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT s $$;
CREATE TABLE users (id int, email text, key text GENERATED ALWAYS AS (norm(email)) STORED);
CREATE INDEX users_norm ON users (norm(email));
CREATE INDEX users_rebuilt ON users (norm(email || 'x'));
CREATE MATERIALIZED VIEW user_keys AS SELECT norm(email) AS k FROM users;
`)
	os.Remove(file)
	if r := p.must(0, "plan"); !strings.Contains(r.stdout, "[ADVISORY STALE_VALUES] Replaces IMMUTABLE function public.norm(s text) in place") {
		t.Errorf("plan:\n%s", r.stdout)
	}
}

func TestMassDrop(t *testing.T) {
	p := newLiveProject(t)
	var live, keep []string
	for i := 1; i <= 8; i++ {
		live = append(live, fmt.Sprintf("CREATE TABLE t%d (id int);", i))
		if i <= 3 {
			keep = append(keep, fmt.Sprintf("CREATE TABLE t%d (id int);", i))
		}
	}
	p.db.Exec(t, strings.Join(live, "\n"))
	p.write("schema/main.sql", strings.Join(keep, "\n")+"\n")
	const msg = "refusing to plan: 5 of 8 live objects (62%) would be dropped, exceeding the 25% mass-drop threshold\n"

	for _, cmd := range [][]string{{"plan"}, {"apply"}, {"migrate", "generate"}} {
		r := p.must(1, cmd...)
		if !strings.HasPrefix(r.stderr, msg) {
			t.Errorf("%v: stderr does not start with the spec's message:\n%s", cmd, r)
		}
	}
	if len(p.migrations()) != 0 {
		t.Fatal("refused generate wrote a file")
	}
	if n := p.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"); n != "8" {
		t.Fatalf("refused apply dropped tables: %s left", n)
	}
	// The threshold from the flag and from the config file.
	p.must(0, "plan", "--mass-drop-threshold=70")
	p.write(".pg-flux.yml", "mass_drop_threshold: 70\n")
	p.must(0, "plan")
	if err := os.Remove(filepath.Join(p.dir, ".pg-flux.yml")); err != nil {
		t.Fatal(err)
	}

	// Allowed at generate time, re-checked by migrate apply.
	p.must(0, "migrate", "generate", "--allow-mass-drop", "--label", "drop")
	r := p.must(1, "migrate", "apply", "--allow-hazards=DATA_LOSS")
	name := filepath.Base(p.migrations()[0])
	if want := "refusing to apply " + name + ": 5 of 8 live objects (62%) would be dropped, exceeding the 25% mass-drop threshold\n"; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("migrate apply refusal:\n%s\nwant prefix %q", r, want)
	}
	if n := p.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"); n != "8" {
		t.Fatalf("refused migrate apply dropped tables: %s left", n)
	}
	p.must(0, "migrate", "apply", "--allow-hazards=DATA_LOSS", "--allow-mass-drop")
	if n := p.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"); n != "3" {
		t.Fatalf("allowed migrate apply left %s tables, want 3", n)
	}
}

func TestMassDropWipeAndEmpty(t *testing.T) {
	p := newLiveProject(t)
	// An empty live database never trips the guard.
	p.write("schema/main.sql", "CREATE TABLE a (id int);\n")
	p.must(0, "plan")
	// Wiping a non-empty database trips it whatever the threshold; the
	// serial's sequence counts as a live object dropped with its table.
	p.db.Exec(t, "CREATE TABLE a (id serial)")
	p.write("schema/main.sql", "-- nothing\n")
	r := p.must(1, "plan", "--mass-drop-threshold=100")
	if want := "refusing to plan: 2 of 2 live objects (100%) would be dropped, emptying the database\n"; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("wipe:\n%s\nwant prefix %q", r, want)
	}
	// No threshold lifts it: the advice is only the explicit opt-in.
	if !strings.Contains(r.stderr, "pass --allow-mass-drop.") || strings.Contains(r.stderr, "mass-drop-threshold") {
		t.Errorf("wipe's advice:\n%s", r)
	}
}

func TestRewritesAndAdvisories(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE events (id int, tenant_id int, note text);
CREATE INDEX events_note_idx ON events (note);
INSERT INTO users SELECT g FROM generate_series(1, 12000) g;
INSERT INTO events SELECT g, g, 'x' FROM generate_series(1, 12000) g;
ANALYZE events`)
	p.write("schema/main.sql", `CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE events (id int CHECK (id > 0), tenant_id int NOT NULL REFERENCES users (id), note text);
CREATE INDEX events_note_idx ON events (lower(note));
CREATE INDEX events_tenant_idx ON events (tenant_id);
`)
	r := p.must(0, "plan")
	for _, want := range []string{
		"[ADVISORY STAGED_SET_NOT_NULL] Rewrote SET NOT NULL on public.events.tenant_id (12k rows) to 4-step pattern",
		"[ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock",
		"ADD CONSTRAINT tenant_id_not_null CHECK (tenant_id IS NOT NULL) NOT VALID;",
		"[rewrite: staged_set_not_null]",
		"[rewrite: not_valid_validate]",
		"[rewrite: index_swap]",
		"[rewrite: concurrent_index]",
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS events_tenant_idx ON public.events",
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS events_note_idx_new ON public.events",
		"DROP INDEX CONCURRENTLY IF EXISTS public.events_note_idx;",
		"ALTER INDEX public.events_note_idx_new RENAME TO events_note_idx;",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "CONSTRAINT_SCAN]") && strings.Contains(r.stdout, "[HAZARD CONSTRAINT_SCAN]") {
		t.Errorf("rewritten plan still scans under lock:\n%s", r.stdout)
	}

	// The toggles.
	r = p.must(0, "plan", "--auto-not-valid=false", "--set-not-null-reltuple-hint=0")
	if !strings.Contains(r.stdout, "[HAZARD CONSTRAINT_SCAN] Adding constraint may scan table") ||
		strings.Contains(r.stdout, "STAGED_SET_NOT_NULL") || strings.Contains(r.stdout, "[rewrite: not_valid_validate]") {
		t.Errorf("toggles off:\n%s", r.stdout)
	}

	// The rewritten migration applies and converges.
	p.must(0, "migrate", "generate", "--label", "safe")
	content, err := os.ReadFile(p.migrations()[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(content), "-- [ADVISORY STAGED_SET_NOT_NULL]") || !strings.Contains(string(content), "[rewrite: index_swap]") {
		t.Errorf("file:\n%s", content)
	}
	r = p.must(0, "migrate", "apply", "--dry-run")
	if !strings.Contains(r.stdout, "[rewrite: concurrent_index]") || !strings.Contains(r.stdout, "(runs outside a transaction)") {
		t.Errorf("dry run:\n%s", r.stdout)
	}
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")
}

func TestNotNullWithoutDefaultRefusedAtPlanTime(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE users (id int); INSERT INTO users VALUES (1); ANALYZE users")
	p.write("schema/main.sql", "CREATE TABLE users (id int, tier text NOT NULL);\n")
	for _, cmd := range [][]string{{"plan"}, {"migrate", "generate"}} {
		r := p.must(1, cmd...)
		if !strings.Contains(r.stderr, "[HAZARD NOT_NULL_WITHOUT_DEFAULT] Adds NOT NULL column public.users.tier without a default to a table with rows: add it nullable, backfill it, then SET NOT NULL") ||
			!strings.Contains(r.stderr, "backfill") {
			t.Errorf("%v:\n%s", cmd, r)
		}
	}
	if len(p.migrations()) != 0 {
		t.Error("refused generate wrote a file")
	}
}

func TestLint(t *testing.T) {
	dir := project(t)
	writeFile(t, filepath.Join(dir, "bad.sql"), "SELECT 1;\n\nALTER TABLEX users;\n")
	writeFile(t, filepath.Join(dir, "ok.sql"), "CREATE TABLE t (id int);\nCREATE INDEX t_idx ON t (id);\n")
	writeFile(t, filepath.Join(dir, "drop.sql"), "DROP TABLE legacy_users;\n")

	r := pgflux(t, "lint", "ok.sql")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "linting without live context") {
		t.Errorf("lint ok.sql:\n%s", r)
	}
	r = pgflux(t, "lint", "ok.sql", "drop.sql")
	if r.code != 1 || r.stdout != "drop.sql:1: [HAZARD DATA_LOSS] Drops table public.legacy_users\n" {
		t.Errorf("lint drop.sql:\n%s", r)
	}
	r = pgflux(t, "lint", "--allow-hazards=DATA_LOSS", "drop.sql")
	if r.code != 0 || !strings.Contains(r.stdout, "(allowed)") {
		t.Errorf("lint --allow-hazards:\n%s", r)
	}
	r = pgflux(t, "lint", "bad.sql", "drop.sql")
	if r.code != 2 || !strings.Contains(r.stderr, "bad.sql:3: ") {
		t.Errorf("lint bad.sql:\n%s", r)
	}
}

// TestPlanWarnsOfMissingRoles: the embedded shadow creates the roles the
// source names, so the plan's proof passes; live has no such role, and the
// plan says so before migrate apply fails on it.
func TestPlanWarnsOfMissingRoles(t *testing.T) {
	p := newLiveProject(t)
	p.global = []string{"--db", p.db.DSN} // the embedded shadow
	role := fmt.Sprintf("app_ro_%d", time.Now().UnixNano())
	p.db.Exec(t, "CREATE TABLE users (id int PRIMARY KEY)")
	p.write("schema/a.sql", "CREATE TABLE users (id int PRIMARY KEY);\nGRANT SELECT ON users TO "+role+";\n")
	r := p.must(0, "plan")
	if !strings.Contains(r.stderr, "warning: the plan names role(s) that do not exist on ") || !strings.Contains(r.stderr, ": "+role+"; ") {
		t.Errorf("plan granting to a missing role:\n%s", r)
	}
	p.db.Exec(t, "CREATE ROLE "+role)
	t.Cleanup(func() { p.db.Exec(t, "DROP OWNED BY "+role+"; DROP ROLE "+role) })
	if r := p.must(0, "plan"); strings.Contains(r.stderr, "do not exist") {
		t.Errorf("plan warns of a role that exists:\n%s", r)
	}
	p.must(0, "apply")
}
