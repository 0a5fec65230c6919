package catalog

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// everyKind has objects read by the head and by the tail of the queries.
const everyKind = `
CREATE ROLE pgflux_parallel_reader NOLOGIN;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (a integer, b text);
CREATE SEQUENCE counter START 10;
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  feeling mood,
  score positive
);
ALTER TABLE users ALTER COLUMN email SET STORAGE main;
CREATE INDEX users_lower ON users (lower(email));
ALTER INDEX users_lower ALTER COLUMN 1 SET STATISTICS 300;
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, user_id bigint REFERENCES users) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at ON events (at);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW emails AS SELECT email FROM users;
CREATE MATERIALIZED VIEW scores AS SELECT id, score FROM users;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON users USING (email = current_user);
GRANT SELECT ON users, emails TO pgflux_parallel_reader;
COMMENT ON TABLE users IS 'people';
`

func TestParallelInspectionReadsWhatOneSessionReads(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, everyKind)
	ctx := context.Background()
	opts := Options{Schemas: []string{"public"}}
	one, sessions, err := inspect(ctx, db.Connect(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sessions != 1 {
		t.Fatalf("without Parallel, %d sessions read the catalog", sessions)
	}
	if one.Tables[model.QName{Schema: "public", Name: "users"}] == nil || len(one.Indexes) == 0 || len(one.ACLs) == 0 || len(one.Security) == 0 || len(one.Deps) == 0 {
		t.Fatalf("the schema was not read: %d tables, %d indexes, %d ACLs, %d row security, %d dependencies",
			len(one.Tables), len(one.Indexes), len(one.ACLs), len(one.Security), len(one.Deps))
	}

	ready := db.Connect(t) // dialled before Inspect starts: the second session reads
	opts.Parallel = true
	opts.Dial = func(context.Context) (*pgx.Conn, error) { return ready, nil }
	two, sessions, err := inspect(ctx, db.Connect(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sessions != 2 {
		t.Fatalf("with a connection ready, %d session(s) read the catalog, want 2", sessions)
	}
	if !bytes.Equal(one.Canonical(), two.Canonical()) || !reflect.DeepEqual(one, two) {
		t.Errorf("two sessions read another model than one:\none:\n%s\ntwo:\n%s", one.Canonical(), two.Canonical())
	}
	if !ready.IsClosed() {
		t.Error("the second session's connection is still open after Inspect")
	}

	// A connection that cannot be made, or is not made in time, leaves the
	// first session to read alone, and the model is the same.
	for name, dial := range map[string]func(context.Context) (*pgx.Conn, error){
		"refused": func(context.Context) (*pgx.Conn, error) { return nil, errors.New("too many connections") },
		"slow":    func(ctx context.Context) (*pgx.Conn, error) { <-ctx.Done(); return nil, ctx.Err() },
	} {
		opts.Dial = dial
		m, sessions, err := inspect(ctx, db.Connect(t), opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sessions != 1 {
			t.Errorf("%s: %d sessions read the catalog, want 1", name, sessions)
		}
		if !reflect.DeepEqual(one, m) {
			t.Errorf("%s: the first session alone read another model", name)
		}
	}

	// Under SET ROLE a new connection would read privileges as another
	// role: the first session reads alone.
	conn := db.Connect(t)
	if _, err := conn.Exec(ctx, "SET ROLE pgflux_parallel_reader"); err != nil {
		t.Fatal(err)
	}
	opts.Dial = func(ctx context.Context) (*pgx.Conn, error) { return db.Connect(t), nil }
	if _, sessions, err := inspect(ctx, conn, opts); err != nil || sessions != 1 {
		t.Errorf("under SET ROLE: %d sessions, %v; want 1", sessions, err)
	}
}

// With Keep, the second session's connection outlives Inspect, and a later
// inspection of the database reads with it what has changed since.
func TestParallelInspectionKeepsTheSecondSession(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE VIEW emails AS SELECT email FROM users;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users)`)
	ctx := context.Background()
	ready := db.Connect(t)
	var kept *pgx.Conn
	opts := Options{Schemas: []string{"public"}, Parallel: true,
		Dial: func(context.Context) (*pgx.Conn, error) { return ready, nil },
		Keep: func(conn *pgx.Conn) { kept = conn }}
	first := db.Connect(t)
	if _, sessions, err := inspect(ctx, first, opts); err != nil || sessions != 2 {
		t.Fatalf("first inspection: %d sessions, %v", sessions, err)
	}
	if kept != ready || ready.IsClosed() {
		t.Fatalf("the second session was not kept (kept %p, closed %t)", kept, ready.IsClosed())
	}
	if status := ready.PgConn().TxStatus(); status != 'I' {
		t.Fatalf("the kept session is in transaction state %q, want idle", status)
	}

	db.Exec(t, "CREATE INDEX users_id_email ON users (id, email); DROP VIEW emails")
	kept = nil
	got, sessions, err := inspect(ctx, first, opts)
	if err != nil || sessions != 2 {
		t.Fatalf("second inspection: %d sessions, %v", sessions, err)
	}
	want, _, err := inspect(ctx, db.Connect(t), Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Canonical(), want.Canonical()) {
		t.Errorf("the kept session read another model than a new one:\nkept:\n%s\nnew:\n%s", got.Canonical(), want.Canonical())
	}
	if kept != ready {
		t.Error("the second session was not kept again")
	}

	// A second session that did not read is closed, not kept.
	kept = nil
	opts.Dial = func(context.Context) (*pgx.Conn, error) { return nil, errors.New("too many connections") }
	if _, sessions, err := inspect(ctx, first, opts); err != nil || sessions != 1 || kept != nil {
		t.Errorf("refused second session: %d sessions, kept %p, %v", sessions, kept, err)
	}
}

// The second session reads the first one's snapshot, not the database as
// it is by the time it starts.
func TestSecondSessionReadsTheFirstSessionsSnapshot(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE before_snapshot (id int)")
	ctx := context.Background()
	first := db.Connect(t)
	tx, err := first.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, snap, err := exportSnapshot(ctx, tx)
	if err != nil || snap == "" {
		t.Fatalf("export: %q, %v", snap, err)
	}
	db.Exec(t, "CREATE TABLE after_snapshot (id int)")

	r := &reader{m: model.New()}
	results, err := readBuffered(ctx, db.Connect(t), secondWork{snap: snap, schemas: []string{"public"},
		qs: []query{{name: "tables and views", sql: relationsQuery, scan: r.relation}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := scanAll(query{name: "tables and views", scan: r.relation}, &bufferedRows{res: &results[0], typeMap: first.TypeMap(), i: -1}); err != nil {
		t.Fatal(err)
	}
	if r.m.Tables[model.QName{Schema: "public", Name: "before_snapshot"}] == nil {
		t.Error("the table made before the snapshot was not read")
	}
	if r.m.Tables[model.QName{Schema: "public", Name: "after_snapshot"}] != nil {
		t.Error("the second session read a table made after the first session's snapshot")
	}
	// Rows are let go as they are read: on a large schema they would
	// otherwise be held beside the model made of them.
	for i, row := range results[0].rows {
		if row != nil {
			t.Errorf("buffered row %d still held after it was read", i)
		}
	}
}
