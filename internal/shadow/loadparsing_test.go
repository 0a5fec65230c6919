package shadow

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/source"
)

// loadingStream starts LoadParsing of a stream in a fresh database of
// srv; the returned function waits for its result.
func loadingStream(t *testing.T, srv *Server, stream *source.Stream) (db *Database, conn *pgx.Conn, result func() (*source.Set, error)) {
	t.Helper()
	db, conn = scratchDatabase(t, srv)
	type res struct {
		set *source.Set
		err error
	}
	done := make(chan res, 1)
	go func() {
		set, err := LoadParsing(context.Background(), conn, stream, nil, srv.LoadOptions(), nil)
		done <- res{set, err}
	}()
	return db, conn, func() (*source.Set, error) {
		r := <-done
		return r.set, r.err
	}
}

// loadRuns loads, with LoadParsing, a source parsed as the runs of
// statements given, whose parse ends with set and err; it returns a
// session on the database and the load's error.
func loadRuns(t *testing.T, srv *Server, runs [][]source.Statement, set *source.Set, err error) (*pgx.Conn, error) {
	t.Helper()
	stream := source.NewStream()
	_, conn, result := loadingStream(t, srv, stream)
	for _, run := range runs {
		stream.Add(run)
	}
	stream.End(set, err)
	_, err = result()
	return conn, err
}

// uncommittedTables waits (up to 10 s) until the database's loading
// session holds at least n tables it has created and not committed, and
// reports whether it did.
func uncommittedTables(t *testing.T, db *Database, n int) bool {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var got int
		// A table created in an open transaction is locked by it, and
		// invisible to every other session until the commit.
		if err := admin.QueryRow(ctx, `
			SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE d.datname = $1 AND l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted`, db.Name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return true
		}
	}
	return false
}

func TestLoadParsingRunsStatementsBeforeTheParseEnds(t *testing.T) {
	srv := dsnServer(t)
	set := sourceSet(t, map[string]string{
		"1.sql": "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a);",
		"2.sql": "SET check_function_bodies = off;\nCREATE VIEW v AS SELECT b.id FROM b JOIN a ON a.id = b.a;",
	})
	stream := source.NewStream()
	db, conn, result := loadingStream(t, srv, stream)
	stream.Add(set.Statements[:2])
	if !uncommittedTables(t, db, 2) {
		t.Fatal("the first statements did not run before the parse ended")
	}
	stream.Add(set.Statements[2:])
	stream.End(set, nil)
	got, err := result()
	if err != nil {
		t.Fatal(err)
	}
	if got != set {
		t.Fatal("LoadParsing did not return the parsed set")
	}
	if rels, want := relations(t, conn), "public.a:r public.a_pkey:i public.b:r public.b_pkey:i public.v:v"; rels != want {
		t.Fatalf("relations = %s, want %s", rels, want)
	}
	// The second file's setting is reset, as after Load.
	if got := queryString(t, conn, "SELECT current_setting('check_function_bodies')"); got != "on" {
		t.Fatalf("check_function_bodies left %s", got)
	}
}

func TestLoadParsingLeavesNothingOfASourceThatDoesNotParse(t *testing.T) {
	srv := dsnServer(t)
	set := sourceSet(t, map[string]string{"1.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"})
	broken := &source.Error{File: "2.sql", Line: 3, Msg: "syntax error at or near \"TABLEE\""}
	conn, err := loadRuns(t, srv, [][]source.Statement{set.Statements[:1]}, nil, broken)
	if err != broken {
		t.Fatalf("got %v, want the parse's error", err)
	}
	if rels := relations(t, conn); rels != "" {
		t.Fatalf("relations %s left of a source that did not parse", rels)
	}
}

func TestLoadParsingFallsBackToLoad(t *testing.T) {
	srv := dsnServer(t)
	// Out of dependency order: the piece fails, Load retries.
	set := sourceSet(t, map[string]string{
		"1.sql": "CREATE VIEW v AS SELECT id FROM t;",
		"2.sql": "CREATE TABLE t (id int);",
	})
	conn, err := loadRuns(t, srv, [][]source.Statement{set.Statements}, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rels, want := relations(t, conn), "public.t:r public.v:v"; rels != want {
		t.Fatalf("relations = %s, want %s", rels, want)
	}

	// A set that is not what was sent (a check of the whole set changed
	// it) is loaded as it is, and nothing else.
	sent := sourceSet(t, map[string]string{"1.sql": "CREATE TABLE sent_only (id int);"})
	final := sourceSet(t, map[string]string{"1.sql": "CREATE TABLE final_only (id int);"})
	conn, err = loadRuns(t, srv, [][]source.Statement{sent.Statements}, final, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rels := relations(t, conn); rels != "public.final_only:r" {
		t.Fatalf("relations = %s, want only the final set's", rels)
	}
}

func TestLoadParsingKeepsLateStatementsLast(t *testing.T) {
	srv := dsnServer(t)
	set := sourceSet(t, map[string]string{
		"1.sql": "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC;",
		"2.sql": "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);",
	})
	var runs [][]source.Statement
	for _, st := range set.Statements {
		runs = append(runs, []source.Statement{st})
	}
	conn, err := loadRuns(t, srv, runs, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rels, want := relations(t, conn), "public.t:r public.t_id:i"; rels != want {
		t.Fatalf("relations = %s, want %s", rels, want)
	}
}

func TestLoadParsingDoesNotSendAFailedBatchAgain(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	_, conn := scratchDatabase(t, srv)
	// A sequence counts the runs of the batch: nextval is not undone by
	// the rollback of a batch that fails.
	if _, err := conn.Exec(ctx, "CREATE SEQUENCE runs"); err != nil {
		t.Fatal(err)
	}
	set := sourceSet(t, map[string]string{
		"1.sql": "DO $$ BEGIN PERFORM nextval('runs'); END $$;\nCREATE VIEW v AS SELECT id FROM t;",
		"2.sql": "CREATE TABLE t (id int);",
	})
	if _, err := LoadParsing(ctx, conn, Parsed(set), nil, srv.LoadOptions(), nil); err != nil {
		t.Fatal(err)
	}
	if rels, want := relations(t, conn), "public.runs:S public.t:r public.v:v"; rels != want {
		t.Fatalf("relations = %s, want %s", rels, want)
	}
	// Once as the batch (failing at the view), once statement by statement.
	if got := queryString(t, conn, "SELECT last_value::text FROM runs"); got != "2" {
		t.Fatalf("the DO block ran %s times, want 2: the failed batch was sent again", got)
	}
}

func TestLoadParsingCalledOffDoesNotWaitForTheParse(t *testing.T) {
	srv := dsnServer(t)
	_, conn := scratchDatabase(t, srv)
	stream := source.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := LoadParsing(ctx, conn, stream, nil, srv.LoadOptions(), nil)
		done <- err
	}()
	stream.Add(sourceSet(t, map[string]string{"1.sql": "CREATE TABLE a (id int);"}).Statements)
	cancel() // Ctrl-C while the parse goes on
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want the context's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a load called off waited for the parse to end")
	}
}
