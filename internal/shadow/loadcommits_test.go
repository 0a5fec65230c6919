package shadow

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// transactions says how many transactions created the public schema's
// tables: each leaves its own xmin on the rows it inserted.
func transactions(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	return queryString(t, conn, `SELECT count(DISTINCT xmin::text)::text FROM pg_class
		WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`)
}

// TestLoadParsingCommitsAsItGoes: with a way to start over, the source
// loads in transactions of LoadOptions.CommitEvery statements; without
// one, in a single transaction, as before.
func TestLoadParsingCommitsAsItGoes(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	set := sourceSet(t, map[string]string{
		"1.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);",
		"2.sql": "CREATE TABLE d (id int);\nCREATE TABLE e (id int);",
	})
	opts := srv.LoadOptions()
	opts.CommitEvery = 2
	startOver := func(context.Context) (*pgx.Conn, error) {
		t.Fatal("the load started over: nothing failed")
		return nil, nil
	}
	for _, tc := range []struct {
		name  string
		fresh func(context.Context) (*pgx.Conn, error)
		want  string
	}{
		{"one transaction", nil, "1"},
		{"committed as it goes", startOver, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, conn := scratchDatabase(t, srv)
			if _, err := LoadParsing(ctx, conn, Parsed(set), nil, opts, tc.fresh); err != nil {
				t.Fatal(err)
			}
			if rels, want := relations(t, conn), "public.a:r public.b:r public.c:r public.d:r public.e:r"; rels != want {
				t.Fatalf("relations = %s, want %s", rels, want)
			}
			if got := transactions(t, conn); got != tc.want {
				t.Errorf("the tables were made in %s transactions, want %s", got, tc.want)
			}
		})
	}
}

// TestLoadParsingStartsOverAfterACommit: where the load would roll back
// once part of the source is committed (here a view before the table it
// reads, in file order), it starts over on the new database it is given,
// as it would have gone on after the rollback: statement by statement,
// each once.
func TestLoadParsingStartsOverAfterACommit(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	set := sourceSet(t, map[string]string{
		"1.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE VIEW v AS SELECT id FROM z;",
		"2.sql": "CREATE TABLE z (id int);",
	})
	opts := srv.LoadOptions()
	opts.CommitEvery = 1
	_, conn := scratchDatabase(t, srv)
	var restarted *pgx.Conn
	fresh := func(context.Context) (*pgx.Conn, error) {
		if restarted != nil {
			t.Fatal("the load started over twice")
		}
		_, restarted = scratchDatabase(t, srv)
		return restarted, nil
	}
	if _, err := LoadParsing(ctx, conn, Parsed(set), nil, opts, fresh); err != nil {
		t.Fatal(err)
	}
	if restarted == nil {
		t.Fatal("the load did not start over on a new database after its batch failed")
	}
	if rels, want := relations(t, restarted), "public.a:r public.b:r public.v:v public.z:r"; rels != want {
		t.Fatalf("relations on the new database = %s, want %s", rels, want)
	}
	// What the first database holds is the caller's to drop.
	if rels, want := relations(t, conn), "public.a:r public.b:r"; rels != want {
		t.Errorf("relations committed on the first database = %s, want %s", rels, want)
	}
}

// TestLoadDesiredCommitsAsItGoes: LoadDesired loads a source larger
// than commitEvery in more than one transaction; one whose batch fails
// after a commit (a view before the table it reads, in file order) loads
// all the same, on the new database LoadDesired starts over on, and the
// first one is dropped.
func TestLoadDesiredCommitsAsItGoes(t *testing.T) {
	ctx := context.Background()
	var tables strings.Builder
	for i := range commitEvery + 10 {
		fmt.Fprintf(&tables, "CREATE TABLE t%d (id int);\n", i)
	}
	for _, tc := range []struct {
		name   string
		files  map[string]string
		pieces bool // loads without starting over, in more than one transaction
	}{
		{"in pieces", map[string]string{"1.sql": tables.String() + "CREATE TABLE z (id int);\nCREATE VIEW v AS SELECT id FROM z;\n"}, true},
		{"started over", map[string]string{"1.sql": tables.String() + "CREATE VIEW v AS SELECT id FROM z;\n", "2.sql": "CREATE TABLE z (id int);"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := dsnServer(t)
			l, err := LoadDesired(ctx, srv, Parsed(sourceSet(t, tc.files)), []string{"public"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(l.Model.Tables), commitEvery+11; got != want {
				t.Errorf("%d tables loaded, want %d", got, want)
			}
			if len(l.Model.Views) != 1 {
				t.Errorf("%d views loaded, want 1", len(l.Model.Views))
			}
			if tc.pieces {
				if got := transactions(t, l.conn); got == "1" {
					t.Errorf("the tables were made in one transaction, want one per %d statements", commitEvery)
				}
			}
			srv.mu.Lock()
			var made []string
			for name := range srv.created {
				made = append(made, name)
			}
			srv.mu.Unlock()
			if err := l.Close(ctx); err != nil {
				t.Fatal(err)
			}
			srv.Close() // waits for the first database's drop
			admin, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close(ctx)
			var left []string
			if err := admin.QueryRow(ctx, "SELECT coalesce(array_agg(datname), '{}') FROM pg_database WHERE datname = ANY($1)", made).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if len(left) > 0 || len(srv.created) > 0 {
				t.Errorf("databases left after the server closed: %v %v", left, srv.created)
			}
		})
	}
}

// TestBatchWriterCommitsOutsideTransactionScopedStatements: no commit
// separates a statement whose effect ends with the transaction (SET
// LOCAL) from the rest of its file.
func TestBatchWriterCommitsOutsideTransactionScopedStatements(t *testing.T) {
	set := sourceSet(t, map[string]string{
		"1.sql": "CREATE TABLE a (id int);\nSET LOCAL search_path = app;\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);",
		"2.sql": "CREATE TABLE d (id int);\nCREATE TABLE e (id int);",
	})
	w := batchWriter{every: 1}
	for _, st := range set.Statements {
		w.add(st)
	}
	batch := w.String()
	local := batch[strings.Index(batch, "SET LOCAL"):strings.Index(batch, resetSession)]
	if strings.Contains(local, "COMMIT") {
		t.Errorf("a commit follows SET LOCAL in its file:\n%s", batch)
	}
	// Before SET LOCAL, and before each of 2.sql's statements.
	if got := strings.Count(batch, "COMMIT;"); got != 3 || w.commits != 3 {
		t.Errorf("%d commits written (%d counted), want 3:\n%s", got, w.commits, batch)
	}
}
