package plan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// securityRoles are created in the test cluster: roles are cluster-wide.
var securityRoles = []string{"sec_reader", "sec_writer", "sec_admin"}

func createTestRoles(t *testing.T, roles ...string) {
	t.Helper()
	db := pgtest.NewDatabase(t)
	for _, r := range roles {
		db.Exec(t, fmt.Sprintf(`DO $$ BEGIN CREATE ROLE %s NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`, model.QuoteIdent(r)))
	}
}

const securitySchema = `
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO sec_reader;
CREATE TABLE app.docs (id int PRIMARY KEY, owner_name text, body text, secret text);
ALTER TABLE app.docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.docs FORCE ROW LEVEL SECURITY;
CREATE POLICY docs_read ON app.docs FOR SELECT TO sec_reader, PUBLIC USING (owner_name = current_user);
CREATE POLICY docs_write ON app.docs AS RESTRICTIVE FOR UPDATE TO sec_writer
  USING (owner_name = current_user) WITH CHECK (length(body) < 1000);
COMMENT ON POLICY docs_read ON app.docs IS 'own rows';
GRANT SELECT, INSERT ON app.docs TO sec_writer WITH GRANT OPTION;
GRANT SELECT (id, body) ON app.docs TO sec_reader;
GRANT UPDATE (body) ON app.docs TO sec_writer;
REVOKE TRUNCATE ON app.docs FROM CURRENT_USER;
CREATE SEQUENCE app.ids;
GRANT USAGE ON SEQUENCE app.ids TO sec_writer;
CREATE VIEW app.doc_ids AS SELECT id FROM app.docs;
GRANT SELECT ON app.doc_ids TO PUBLIC;
CREATE TYPE app.mood AS ENUM ('a', 'b');
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sec_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE sec_admin REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sec_admin IN SCHEMA app GRANT USAGE ON SEQUENCES TO sec_writer WITH GRANT OPTION;
CREATE TABLE app.events (id int, kind text, payload text);
CREATE PUBLICATION sec_pub FOR TABLE app.docs (id, body), app.events WHERE (kind <> 'noise') WITH (publish = 'insert, update');
COMMENT ON PUBLICATION sec_pub IS 'to the warehouse';
`

var securityCases = []convergeCase{
	{name: "security from nothing", before: "CREATE SCHEMA app;", after: securitySchema, schemas: []string{"app"}},
	{name: "policy changes", schemas: []string{"app"},
		before: `CREATE SCHEMA app;
CREATE TABLE app.t (id int, owner_name text, n int);
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p_alter ON app.t FOR SELECT TO sec_reader USING (owner_name = current_user);
CREATE POLICY p_cmd ON app.t FOR SELECT USING (true);
CREATE POLICY p_kind ON app.t USING (n > 0);
CREATE POLICY p_col ON app.t USING (n > 1);
CREATE POLICY p_gone ON app.t USING (n > 2);`,
		after: `CREATE SCHEMA app;
CREATE TABLE app.t (id int, owner_name text, n bigint);
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.t FORCE ROW LEVEL SECURITY;
CREATE POLICY p_alter ON app.t FOR SELECT TO sec_reader, sec_writer USING (owner_name = session_user);
CREATE POLICY p_cmd ON app.t FOR DELETE USING (true);
CREATE POLICY p_kind ON app.t AS RESTRICTIVE USING (n > 0);
CREATE POLICY p_col ON app.t USING (n > 1);
CREATE POLICY p_new ON app.t FOR INSERT WITH CHECK (n > 3);`},
	{name: "grant changes", schemas: []string{"app"},
		before: `CREATE SCHEMA app;
CREATE TABLE app.t (id int, a text, b text);
GRANT SELECT ON app.t TO sec_reader;
GRANT SELECT (a) ON app.t TO sec_writer;
CREATE VIEW app.v AS SELECT id, a FROM app.t;
GRANT SELECT ON app.v TO sec_reader;`,
		after: `CREATE SCHEMA app;
CREATE TABLE app.t (id int, a varchar(5), b text);
GRANT SELECT ON app.t TO sec_reader WITH GRANT OPTION;
GRANT SELECT (a, b) ON app.t TO sec_writer;
GRANT ALL ON SCHEMA app TO sec_admin;
CREATE VIEW app.v AS SELECT id, a FROM app.t;
GRANT SELECT ON app.v TO sec_reader;
GRANT SELECT (id) ON app.v TO sec_writer;`},
}

func TestSecurityConverge(t *testing.T) {
	createTestRoles(t, securityRoles...)
	for _, c := range securityCases {
		t.Run(c.name, func(t *testing.T) {
			t.Run("forward", func(t *testing.T) { converge(t, c.before, c.after, c.schemas) })
			t.Run("backward", func(t *testing.T) { converge(t, c.after, c.before, c.schemas) })
		})
	}
}

func TestSecurityRecreateFromNothing(t *testing.T) {
	createTestRoles(t, securityRoles...)
	ctx := context.Background()
	src := pgtest.NewDatabase(t)
	load(t, src.Connect(t), securitySchema)
	want := inspect(t, src.Connect(t), []string{"app"})
	if len(want.ACLs) == 0 || len(want.Security) == 0 || len(want.Publications) == 0 || len(want.DefaultPrivileges) == 0 {
		t.Fatalf("security objects not read: %s", want.Canonical())
	}
	p, err := plan.Build(model.New(), want, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn := pgtest.NewDatabase(t).Connect(t)
	run(t, ctx, conn, p)
	assertConverged(t, conn, want, []string{"app"})
	if !strings.Contains(sqlOf(p), "CREATE POLICY docs_read") {
		t.Errorf("no policy in the plan:\n%s", sqlOf(p))
	}
}
