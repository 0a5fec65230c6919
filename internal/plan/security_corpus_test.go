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
	"github.com/pg-flux/pg-flux/internal/shadow"
	"github.com/pg-flux/pg-flux/internal/source"
)

// stripSecurity resets a database's security to PostgreSQL's defaults:
// no publications, policies, row security, ACLs or default privileges.
// Catalog rows are written directly (the test runs as a superuser) so that
// nothing else changes.
const stripSecurity = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT pubname FROM pg_publication LOOP
    EXECUTE format('DROP PUBLICATION %I', r.pubname);
  END LOOP;
  FOR r IN SELECT p.polname, c.oid::regclass AS rel FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid LOOP
    EXECUTE format('DROP POLICY %I ON %s', r.polname, r.rel);
  END LOOP;
END $$;
UPDATE pg_class SET relrowsecurity = false, relforcerowsecurity = false, relacl = NULL
  WHERE relnamespace = ANY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1));
UPDATE pg_attribute SET attacl = NULL
  WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = ANY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1)));
UPDATE pg_namespace SET nspacl = NULL WHERE nspname = ANY($1);
UPDATE pg_proc SET proacl = NULL WHERE pronamespace = ANY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1));
UPDATE pg_type SET typacl = NULL WHERE typnamespace = ANY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1));
DELETE FROM pg_default_acl;
`

// TestSecurityCorpusRoundTrip loads the corpus schemas richest in security
// (RLS on many tables, policies, default privileges, a publication, column
// grants), strips every security setting from a second copy, plans from
// the stripped copy back to the original and requires no difference at all
// afterwards: every policy, grant, default privilege and publication the
// catalog reads, the planner re-creates.
func TestSecurityCorpusRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("loads corpus schemas; skipped with -short")
	}
	for _, name := range []string{"supabase_basejump", "postgrest_fixtures"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(corpusDir(t), name)
			// roles.sql sets up the cluster's roles (idempotently), as on
			// the platform the schema comes from; schema.sql alone is
			// source, which may not alter roles.
			roles, err := os.ReadFile(filepath.Join(dir, "roles.sql"))
			if err != nil {
				t.Fatal(err)
			}
			only := t.TempDir()
			schema, err := os.ReadFile(filepath.Join(dir, "schema.sql"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(only, "schema.sql"), schema, 0o644); err != nil {
				t.Fatal(err)
			}
			set, err := source.Load(only)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
			connA, connB := a.Connect(t), b.Connect(t)
			if _, err := connA.Exec(ctx, string(roles)); err != nil {
				t.Fatalf("roles.sql: %v", err)
			}
			for _, conn := range []*pgx.Conn{connA, connB} {
				if err := shadow.Load(ctx, conn, set, shadow.LoadOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			schemas := userSchemas(t, connA)
			desired := inspect(t, connA, schemas)
			t.Logf("%s: %d tables with row security or policies, %d ACLs, %d default privilege entries, %d publications",
				name, len(desired.Security), len(desired.ACLs), len(desired.DefaultPrivileges), len(desired.Publications))
			if len(desired.ACLs) == 0 {
				t.Fatal("no privileges read")
			}
			lits := make([]string, len(schemas))
			for i, s := range schemas {
				lits[i] = model.QuoteLiteral(s)
			}
			strip := strings.ReplaceAll(stripSecurity, "$1", "ARRAY["+strings.Join(lits, ", ")+"]::name[]")
			if _, err := connB.Exec(ctx, strip); err != nil {
				t.Fatalf("strip security: %v", err)
			}
			live := inspect(t, connB, schemas)
			if len(live.Security)+len(live.DefaultPrivileges)+len(live.Publications) != 0 {
				t.Fatalf("security not stripped: %d %d %d", len(live.Security), len(live.DefaultPrivileges), len(live.Publications))
			}
			p, err := plan.Build(live, desired, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			run(t, ctx, connB, p)
			got := inspect(t, connB, schemas)
			requireSame(t, got, desired, "round trip left differences")
			if got.Hash() != desired.Hash() {
				t.Fatalf("hash differs after the round trip")
			}
			if again, err := plan.Build(got, desired, plan.Options{}); err != nil || len(again.Steps) > 0 {
				t.Fatalf("second plan not empty (%v):\n%s", err, sqlOf(again))
			}
		})
	}
}
