package catalog_test

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const schema = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE mood IS 'how it feels';
CREATE SEQUENCE counter AS integer START 10 INCREMENT 5 CACHE 2 CYCLE;
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) PRIMARY KEY,
  email text COLLATE "C" NOT NULL UNIQUE,
  name varchar(200) DEFAULT 'anon',
  feeling mood,
  created timestamptz(3) DEFAULT now(),
  upper_email text GENERATED ALWAYS AS (upper(email)) STORED,
  CONSTRAINT email_has_at CHECK (position('@' in email) > 0)
);
COMMENT ON TABLE users IS 'people';
COMMENT ON COLUMN users.email IS 'login';
CREATE TABLE orders (
  id serial PRIMARY KEY,
  user_id bigint REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  total numeric(12, 2) NOT NULL
);
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;
CREATE INDEX orders_user ON orders (user_id) INCLUDE (total) WHERE total > 10;
CREATE UNIQUE INDEX users_lower_email ON users (lower(email));
CREATE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100;
CREATE VIEW big_emails AS SELECT email FROM big_orders;
CREATE SCHEMA other;
CREATE TABLE other.ignored (id int);
`

func inspect(t *testing.T, sql string, schemas ...string) *model.Model {
	t.Helper()
	db := pgtest.NewDatabase(t)
	db.Exec(t, sql)
	m, err := catalog.Inspect(context.Background(), db.Connect(t), catalog.Options{Schemas: schemas})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInspectReadsEveryKind(t *testing.T) {
	m := inspect(t, schema, "public")
	users := m.Tables[model.QName{Schema: "public", Name: "users"}]
	if users == nil {
		t.Fatalf("users not read; tables: %v", m.Tables)
	}
	if users.Comment != "people" {
		t.Errorf("table comment = %q", users.Comment)
	}
	id := users.Column("id")
	if id.Identity != model.IdentityAlways || id.IdentitySequence == nil || id.IdentitySequence.Start != 100 {
		t.Errorf("identity column read as %+v (sequence %+v)", id, id.IdentitySequence)
	}
	email := users.Column("email")
	if email.Collation != `pg_catalog."C"` || !email.NotNull || email.Comment != "login" {
		t.Errorf("email column read as %+v", email)
	}
	if got := users.Column("created").Type; got != "timestamp(3) with time zone" {
		t.Errorf("created type = %q", got)
	}
	if got := users.Column("upper_email").Generated; got != "upper(email)" {
		t.Errorf("generated expression = %q", got)
	}
	if got := users.Column("feeling").Type; got != "public.mood" {
		t.Errorf("enum column type = %q, want it qualified", got)
	}
	if c := users.Constraints["email_has_at"]; c == nil || c.Type != model.Check {
		t.Errorf("check constraint: %+v", c)
	}
	orders := m.Tables[model.QName{Schema: "public", Name: "orders"}]
	fk := orders.Constraints["orders_user_id_fkey"]
	if fk == nil || fk.References == nil || fk.References.Name != "users" ||
		fk.Definition != "FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED" {
		t.Errorf("foreign key: %+v", fk)
	}
	if c := orders.Constraints["total_positive"]; c == nil || c.Validated {
		t.Errorf("NOT VALID constraint: %+v", c)
	}
	if got := orders.Column("id").Default; got != "nextval('public.orders_id_seq'::regclass)" {
		t.Errorf("serial default = %q", got)
	}
	seq := m.Sequences[model.QName{Schema: "public", Name: "orders_id_seq"}]
	if seq == nil || seq.OwnedBy == nil || seq.OwnedBy.Column != "id" {
		t.Errorf("serial sequence: %+v", seq)
	}
	if _, ok := m.Sequences[model.QName{Schema: "public", Name: "users_id_seq"}]; ok {
		t.Error("identity sequence listed as a standalone sequence")
	}
	counter := m.Sequences[model.QName{Schema: "public", Name: "counter"}]
	if counter == nil || counter.Start != 10 || counter.Increment != 5 || counter.Cache != 2 || !counter.Cycle || counter.Type != "integer" {
		t.Errorf("counter sequence: %+v", counter)
	}
	ix := m.Indexes[model.QName{Schema: "public", Name: "orders_user"}]
	if ix == nil || ix.Definition != "CREATE INDEX orders_user ON public.orders USING btree (user_id) INCLUDE (total) WHERE (total > (10)::numeric)" {
		t.Errorf("index: %+v", ix)
	}
	if _, ok := m.Indexes[model.QName{Schema: "public", Name: "users_pkey"}]; ok {
		t.Error("constraint index listed as a standalone index")
	}
	if e := m.Enums[model.QName{Schema: "public", Name: "mood"}]; e == nil || len(e.Labels) != 3 || e.Labels[2] != "happy" || e.Comment != "how it feels" {
		t.Errorf("enum: %+v", e)
	}
	v := m.Views[model.QName{Schema: "public", Name: "big_orders"}]
	if v == nil || len(v.Columns) != 2 || v.Columns[1].Name != "email" {
		t.Fatalf("view: %+v", v)
	}
	for _, qn := range []model.QName{{Schema: "other", Name: "ignored"}} {
		if _, ok := m.Tables[qn]; ok {
			t.Errorf("%s read although its schema is not managed", qn)
		}
	}
	if _, ok := m.Schemas["public"]; !ok || len(m.Schemas) != 1 {
		t.Errorf("schemas = %v", m.Schemas)
	}
}

func TestInspectDependencies(t *testing.T) {
	m := inspect(t, schema, "public")
	has := func(from model.ObjectID, to model.ObjectID) bool {
		for _, d := range m.Deps[from] {
			if d == to {
				return true
			}
		}
		return false
	}
	bigOrders := model.ID(model.KindView, model.QName{Schema: "public", Name: "big_orders"})
	bigEmails := model.ID(model.KindView, model.QName{Schema: "public", Name: "big_emails"})
	users := model.QName{Schema: "public", Name: "users"}
	checks := []struct {
		from, to model.ObjectID
	}{
		{bigEmails, bigOrders},
		{bigOrders, model.ID(model.KindTable, users)},
		{bigOrders, model.ObjectID{Kind: model.KindColumn, Schema: "public", Name: "users", Sub: "email"}},
		{model.ObjectID{Kind: model.KindColumn, Schema: "public", Name: "orders", Sub: "id"},
			model.ID(model.KindSequence, model.QName{Schema: "public", Name: "orders_id_seq"})},
		{model.ObjectID{Kind: model.KindConstraint, Schema: "public", Name: "orders", Sub: "orders_user_id_fkey"},
			model.ID(model.KindTable, users)},
		{model.ID(model.KindTable, users), model.ID(model.KindEnum, model.QName{Schema: "public", Name: "mood"})},
	}
	for _, c := range checks {
		if !has(c.from, c.to) {
			t.Errorf("missing dependency %s → %s; have %v", c.from, c.to, m.Deps[c.from])
		}
	}
	if has(bigOrders, model.ObjectID{Kind: model.KindColumn, Schema: "public", Name: "users", Sub: "name"}) {
		t.Error("view recorded as depending on a column it does not use")
	}
}

// Options.WithoutDeps reads the same model but for its dependencies.
func TestInspectWithoutDeps(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, schema)
	ctx := context.Background()
	conn := db.Connect(t)
	full, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}, WithoutDeps: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Deps) == 0 || len(lean.Deps) != 0 {
		t.Fatalf("dependencies: %d read in full, %d without (want some, then none)", len(full.Deps), len(lean.Deps))
	}
	if changes := diff.Compare(full, lean); len(changes) > 0 || full.Hash() != lean.Hash() {
		t.Errorf("without dependencies the model differs: %v", changes)
	}
	// Dependencies reads the rest, the same as a full read.
	deps, err := catalog.Dependencies(ctx, conn, []string{"public"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deps, full.Deps) {
		t.Errorf("Dependencies read %d objects' dependencies, a full read %d:\n%v\n%v", len(deps), len(full.Deps), deps, full.Deps)
	}
}

func TestHashIsIndependentOfDatabaseAndColumnOrder(t *testing.T) {
	a := inspect(t, schema, "public")
	b := inspect(t, schema, "public")
	if a.Hash() != b.Hash() {
		t.Fatalf("same schema hashes differently in two databases:\n%s\n%s", a.Canonical(), b.Canonical())
	}
	// The same columns created in another order (via ADD COLUMN) hash the same.
	c := inspect(t, `CREATE TABLE t (b int, a text)`, "public")
	d := inspect(t, `CREATE TABLE t (a text); ALTER TABLE t ADD COLUMN b int`, "public")
	if c.Hash() != d.Hash() {
		t.Errorf("column order changed the hash")
	}
	e := inspect(t, `CREATE TABLE t (a text, b bigint)`, "public")
	if c.Hash() == e.Hash() {
		t.Errorf("a type change did not change the hash")
	}
}

// The ACLs of pg_dump output run by a superuser (other owners, explicit
// grants to that superuser) hash the same as those of the same objects
// created and inspected by another migrating role, which owns them: owners
// are not managed, and neither role's name may matter.
func TestACLsHashAlikeUnderAnyMigratingRole(t *testing.T) {
	roles := pgtest.NewDatabase(t)
	roles.Exec(t, `DO $$ BEGIN CREATE ROLE acl_owner NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE acl_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE acl_migrator SUPERUSER NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;`)
	const objects = `
CREATE SCHEMA app;
CREATE TABLE app.t (id int);
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT SELECT ON app.t TO acl_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO CURRENT_USER, acl_reader;
`
	inspectAs := func(role, sql string) *model.Model {
		db := pgtest.NewDatabase(t)
		conn := db.Connect(t)
		ctx := context.Background()
		if _, err := conn.Exec(ctx, "SET ROLE "+role); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
		m, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"app"}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	dumped := inspectAs("NONE", objects+`
ALTER SCHEMA app OWNER TO acl_owner;
ALTER TABLE app.t OWNER TO acl_owner;
ALTER FUNCTION app.f() OWNER TO acl_owner;
GRANT USAGE ON SCHEMA app TO CURRENT_USER;
GRANT SELECT ON app.t TO CURRENT_USER WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION app.f() TO CURRENT_USER;`)
	migrated := inspectAs("acl_migrator", objects)
	if dumped.Hash() != migrated.Hash() {
		t.Errorf("hashes differ:\n%s\n%s", dumped.Canonical(), migrated.Canonical())
	}
}

func TestInspectLeavesOutExtensionMembers(t *testing.T) {
	m := inspect(t, `CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE TABLE t (s text);
CREATE INDEX t_trgm ON t USING gin (s gin_trgm_ops);`, "public")
	if len(m.Tables) != 1 || len(m.Indexes) != 1 {
		t.Errorf("tables %d indexes %d, want 1 and 1", len(m.Tables), len(m.Indexes))
	}
}

func TestInspectWeirdIdentifiers(t *testing.T) {
	long := "a123456789b123456789c123456789d123456789e123456789f123456789abc" // 63 bytes
	m := inspect(t, `CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order ""Lines""" ("Qty" int, "café" text, "user" text, `+long+` int);
CREATE INDEX "Idx Ü" ON "Sales Dept"."Order ""Lines""" ("café");`, "Sales Dept")
	tbl := m.Tables[model.QName{Schema: "Sales Dept", Name: `Order "Lines"`}]
	if tbl == nil {
		t.Fatalf("weird table not read: %v", m.Tables)
	}
	if got := tbl.Name.String(); got != `"Sales Dept"."Order ""Lines"""` {
		t.Errorf("quoted name = %s", got)
	}
	for _, col := range []string{"Qty", "café", "user", long} {
		if tbl.Column(col) == nil {
			t.Errorf("column %q missing", col)
		}
	}
	if ix := m.Indexes[model.QName{Schema: "Sales Dept", Name: "Idx Ü"}]; ix == nil {
		t.Errorf("index missing: %v", m.Indexes)
	}
}

// TestInspectReadsInvalidIndex: an index a failed CREATE INDEX CONCURRENTLY
// left INVALID, and one of a partitioned table a partition has no index
// attached to, are read as Invalid; that state is left out of the hash.
func TestInspectReadsInvalidIndex(t *testing.T) {
	const tables = `CREATE TABLE k (id int, code text);
		INSERT INTO k VALUES (1, 'a'), (2, 'a');
		CREATE INDEX k_id ON k (id);
		CREATE TABLE p (id int) PARTITION BY RANGE (id);
		CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
		CREATE INDEX p_id ON ONLY p (id);`
	db := pgtest.NewDatabase(t)
	db.Exec(t, tables)
	conn := db.Connect(t)
	// Alone in its query string: CONCURRENTLY refuses a transaction block.
	if _, err := conn.Exec(context.Background(), "CREATE UNIQUE INDEX CONCURRENTLY k_code ON k (code)"); err == nil {
		t.Fatal("CREATE UNIQUE INDEX CONCURRENTLY over duplicate rows succeeded")
	}
	m, err := catalog.Inspect(context.Background(), conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"k_code": true, "k_id": false, "p_id": true} {
		ix := m.Indexes[model.QName{Schema: "public", Name: name}]
		if ix == nil || ix.Invalid != want {
			t.Errorf("index %s: %+v, want Invalid=%v", name, ix, want)
		}
	}
	valid := inspect(t, tables+"DELETE FROM k WHERE id = 2; CREATE UNIQUE INDEX k_code ON k (code);", "public")
	if !valid.Indexes[model.QName{Schema: "public", Name: "p_id"}].Invalid || valid.Indexes[model.QName{Schema: "public", Name: "k_code"}].Invalid {
		t.Errorf("indexes of the valid copy: %+v", valid.Indexes)
	}
	if m.Hash() != valid.Hash() {
		t.Errorf("an invalid index changed the hash:\n%s\n%s", m.Canonical(), valid.Canonical())
	}
}
