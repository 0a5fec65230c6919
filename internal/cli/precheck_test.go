package cli

import (
	"strings"
	"testing"
)

// TestApplyPrivilegePrecheck: migrate apply and migrate rollback with a role
// that lacks a privilege are refused before the first statement, and before
// the ledger is created, with the privilege, the object, the statement's
// file:line and the GRANT that fixes it; a non-superuser with what the
// file needs applies and rolls back.
func TestApplyPrivilegePrecheck(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `DO $$ BEGIN CREATE ROLE pc_owner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE pc_bare LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE pc_noown LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE pc_noschema LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE pc_ok LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT pc_owner TO pc_noschema, pc_ok;
CREATE TABLE users (id int PRIMARY KEY, email text);
ALTER TABLE users OWNER TO pc_owner;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO PUBLIC;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO pc_noown, pc_noschema, pc_ok', current_database()); END $$;
GRANT CREATE ON SCHEMA public TO pc_noown, pc_noschema, pc_ok;
GRANT CREATE ON SCHEMA app TO pc_noown, pc_ok;`)
	p.write("schema/s.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);\n")
	p.write("migrations/001_a.sql", `-- hand-written
ALTER TABLE users ADD COLUMN phone text;

CREATE TABLE app.audit (id int);
-- +pg-flux Down
DROP TABLE app.audit;
ALTER TABLE users DROP COLUMN phone;
`)
	before := p.liveHash()
	as := func(role string, args ...string) result {
		t.Helper()
		return pgflux(t, append(args, "--db", p.db.DSN+" user="+role, "--shadow-dsn", p.global[3])...)
	}
	noLedger := func(role string) {
		t.Helper()
		if v := p.scalar("SELECT (to_regclass('_pgflux.migrations') IS NULL AND NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = '_pgflux'))::text"); v != "true" {
			t.Errorf("as %s: the ledger was created by a refused apply", role)
		}
		if h := p.liveHash(); h != before {
			t.Errorf("as %s: live hash changed by a refused apply: %s -> %s", role, before, h)
		}
	}
	for _, c := range []struct {
		role string
		want []string
	}{
		// CONNECT and USAGE only: the ledger cannot be created, users
		// cannot be altered, app.audit cannot be created.
		{"pc_bare", []string{
			"refusing to apply 001_a.sql: role pc_bare lacks privileges",
			"creating the migration ledger _pgflux.migrations\n  needs CREATE on database",
			"001_a.sql:2: ALTER TABLE users ADD COLUMN phone text\n  needs ownership of relation public.users (owned by pc_owner)",
			"001_a.sql:4: CREATE TABLE app.audit (id int)\n  needs CREATE on schema app",
			"GRANT CREATE ON DATABASE ", "GRANT pc_owner TO pc_bare;", "GRANT CREATE ON SCHEMA app TO pc_bare;",
			"then re-run `pg-flux migrate apply`",
		}},
		// Owns nothing.
		{"pc_noown", []string{"needs ownership of relation public.users (owned by pc_owner)", "GRANT pc_owner TO pc_noown;"}},
		// Missing CREATE on one schema.
		{"pc_noschema", []string{"001_a.sql:4: CREATE TABLE app.audit (id int)\n  needs CREATE on schema app", "GRANT CREATE ON SCHEMA app TO pc_noschema;"}},
	} {
		r := as(c.role, "migrate", "apply")
		if r.code != 1 {
			t.Errorf("migrate apply as %s: exit %d, want 1\n%s", c.role, r.code, r)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr+r.stdout, w) {
				t.Errorf("migrate apply as %s: output lacks %q:\n%s", c.role, w, r)
			}
		}
		if c.role != "pc_bare" && strings.Contains(r.stderr, "CREATE on database") {
			t.Errorf("migrate apply as %s names a privilege it has:\n%s", c.role, r)
		}
		if strings.Contains(r.stderr, "permission denied") {
			t.Errorf("migrate apply as %s ran a statement:\n%s", c.role, r)
		}
		noLedger(c.role)
	}

	// Enough privileges, no superuser: applies.
	if r := as("pc_ok", "migrate", "apply"); r.code != 0 {
		t.Fatalf("migrate apply as pc_ok: exit %d\n%s", r.code, r)
	}
	if v := p.count("SELECT count(*) FROM _pgflux.migrations WHERE status = 'applied'"); v != "1" {
		t.Fatalf("ledger rows after apply: %s", v)
	}
	applied := p.liveHash()

	// Rollback: the same precheck, before the first Down statement; the
	// ledger (owned by pc_ok) first.
	r := as("pc_noown", "migrate", "rollback", "--allow-hazards=DATA_LOSS")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to roll back: role pc_noown lacks privileges") ||
		!strings.Contains(r.stderr, "needs USAGE on schema _pgflux") || !strings.Contains(r.stderr, "GRANT SELECT ON _pgflux.migrations TO pc_noown;") {
		t.Errorf("migrate rollback as pc_noown without access to the ledger: exit %d, want 1 naming the privileges\n%s", r.code, r)
	}
	p.db.Exec(t, "GRANT USAGE ON SCHEMA _pgflux TO pc_noown; GRANT SELECT, UPDATE ON _pgflux.migrations TO pc_noown")
	r = as("pc_noown", "migrate", "rollback", "--allow-hazards=DATA_LOSS")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to roll back 001_a.sql") ||
		!strings.Contains(r.stderr, "001_a.sql:7: ALTER TABLE users DROP COLUMN phone\n  needs ownership of relation public.users") ||
		!strings.Contains(r.stderr, "needs DELETE on table _pgflux.migrations") ||
		!strings.Contains(r.stderr, "then re-run `pg-flux migrate rollback`") {
		t.Errorf("migrate rollback as pc_noown: exit %d, want 1 naming the privileges\n%s", r.code, r)
	}
	if h := p.liveHash(); h != applied {
		t.Error("a refused rollback changed live")
	}
	if v := p.count("SELECT count(*) FROM _pgflux.migrations WHERE status = 'applied'"); v != "1" {
		t.Errorf("ledger rows after a refused rollback: %s", v)
	}
	if r := as("pc_ok", "migrate", "rollback", "--allow-hazards=DATA_LOSS"); r.code != 0 {
		t.Fatalf("migrate rollback as pc_ok: exit %d\n%s", r.code, r)
	}
	if h := p.liveHash(); h != before {
		t.Errorf("live after rollback is not the state before apply")
	}
}
