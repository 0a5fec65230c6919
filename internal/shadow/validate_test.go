package shadow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// execSteps runs steps one by one, each on its own (autocommit): a plain
// executor for these tests.
func execSteps(ctx context.Context, conn *pgx.Conn, steps []plan.Step) error {
	for _, s := range steps {
		if _, err := conn.Exec(ctx, s.SQL); err != nil {
			return fmt.Errorf("step %q: %w", s.SQL, err)
		}
	}
	return nil
}

// leftBehind counts the databases srv created and did not drop, not
// counting the one spare it keeps ready, once the drops left to the
// background (Database.dropLater) are done.
func leftBehind(srv *Server) int {
	srv.spareWG.Wait()
	srv.mu.Lock()
	ch := srv.spare
	srv.mu.Unlock()
	spare := ""
	if ch != nil {
		r := <-ch
		ch <- r
		if r.db != nil {
			spare = r.db.Name
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	n := 0
	for name := range srv.created {
		if name != spare {
			n++
		}
	}
	return n
}

// shadowDatabasesAfterClose closes srv and counts the scratch databases
// left on the test server.
// requireNothingLeft checks that every scratch database srv made was
// dropped, and that none is left on the server once it is closed.
func requireNothingLeft(t *testing.T, srv *Server) {
	t.Helper()
	if n := leftBehind(srv); n != 0 {
		t.Errorf("%d database(s) not dropped", n)
	}
	if n := shadowDatabasesAfterClose(t, srv); n != 0 {
		t.Errorf("%d shadow database(s) left after the server closed", n)
	}
}

func shadowDatabasesAfterClose(t *testing.T, srv *Server) int {
	t.Helper()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	return countDatabases(t, `pgflux\_shadow\_%`)
}

// countDatabases counts the test server's databases whose name is LIKE
// pattern.
func countDatabases(t *testing.T, pattern string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname LIKE $1", pattern).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var managed = []string{"public", "app"}

func liveModel(t *testing.T, sql string) *model.Model {
	t.Helper()
	db := pgtest.NewDatabase(t)
	if sql != "" {
		db.Exec(t, sql)
	}
	m, err := catalog.Inspect(context.Background(), db.Connect(t), catalog.Options{Schemas: managed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const desiredSource = "CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE VIEW item_names AS SELECT name FROM app.items;"

func TestDesired(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	m, err := Desired(ctx, srv, sourceSet(t, map[string]string{
		"a_view.sql":   "CREATE VIEW item_names AS SELECT name FROM app.items;",
		"b_schema.sql": "CREATE SCHEMA app;\nCREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);",
		"c_other.sql":  "CREATE SCHEMA unmanaged;\nCREATE TABLE unmanaged.x (id int);",
	}), managed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Tables[model.QName{Schema: "app", Name: "items"}] == nil || m.Views[model.QName{Schema: "public", Name: "item_names"}] == nil {
		t.Errorf("model lacks app.items or public.item_names: tables %v views %v", m.Tables, m.Views)
	}
	if m.Tables[model.QName{Schema: "unmanaged", Name: "x"}] != nil {
		t.Error("model has a table of an unmanaged schema")
	}
	requireNothingLeft(t, srv)
}

func TestDesiredLoadErrorLeavesNoDatabase(t *testing.T) {
	srv := dsnServer(t)
	_, err := Desired(context.Background(), srv, sourceSet(t, map[string]string{"a.sql": "CREATE VIEW v AS SELECT * FROM nowhere;"}), managed, nil)
	loadError(t, err)
	requireNothingLeft(t, srv)
}

func TestValidate(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	// Live lacks the app schema: the plan must create it.
	live := liveModel(t, "CREATE TABLE legacy (id int PRIMARY KEY, note text);")
	desired, err := Desired(ctx, srv, sourceSet(t, map[string]string{
		"schema.sql": "CREATE SCHEMA app;\n" + desiredSource + "\nCREATE TABLE legacy (id int PRIMARY KEY, note varchar(200));",
	}), managed, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(live, desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	result, err := Validate(ctx, srv, live, p, desired, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if changes := diff.Compare(result, desired); len(changes) != 0 {
		t.Errorf("result differs from desired: %v", changes)
	}
	if result.Hash() != desired.Hash() {
		t.Errorf("result hash %s, desired %s", result.Hash(), desired.Hash())
	}
	requireNothingLeft(t, srv)
}

func TestValidateReportsPlanThatDoesNotConverge(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live := liveModel(t, "CREATE TABLE legacy (id int);")
	desired, err := Desired(ctx, srv, sourceSet(t, map[string]string{"a.sql": "CREATE TABLE legacy (id int, note text);\nCREATE TABLE fresh (id int);"}), managed, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Validate(ctx, srv, live, &plan.Plan{}, desired, managed, execSteps)
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want *NotConvergedError", err)
	}
	msg := err.Error()
	for _, want := range []string{"this is a pg-flux bug: the plan does not converge; please report it with the source and the plan", "public.fresh", "public.legacy"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	requireNothingLeft(t, srv)
}

func TestValidateReportsFailingPlan(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live := liveModel(t, "CREATE TABLE legacy (id int);")
	p := &plan.Plan{Steps: []plan.Step{{SQL: "ALTER TABLE public.nowhere ADD COLUMN x int;"}}}
	_, err := Validate(ctx, srv, live, p, live, managed, execSteps)
	if err == nil || !strings.Contains(err.Error(), "the plan fails on a copy of the live schema") || !strings.Contains(err.Error(), `relation "public.nowhere" does not exist`) {
		t.Fatalf("got %v", err)
	}
	requireNothingLeft(t, srv)
}

// TestRunBatched: the transactional steps of a scratch build run as one
// query each run, without exec; a step that cannot run in a transaction
// runs alone through exec; a run that fails runs again through exec, step
// by step, whose error is returned.
func TestRunBatched(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	var calls [][]plan.Step
	exec := func(ctx context.Context, conn *pgx.Conn, steps []plan.Step) error {
		calls = append(calls, steps)
		return execSteps(ctx, conn, steps)
	}
	steps := []plan.Step{
		{SQL: "CREATE TABLE a (id int) -- a comment ends the step"},
		{SQL: "CREATE TABLE b (id int)"},
		{SQL: "CREATE INDEX CONCURRENTLY b_id ON b (id)", Isolation: plan.NoTransaction},
		{SQL: "CREATE TABLE c (id int)"},
	}
	if err := runBatched(ctx, conn, steps, exec); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || len(calls[0]) != 1 || calls[0][0].Isolation != plan.NoTransaction || len(calls[1]) != 1 {
		t.Errorf("exec called with %v, want the concurrent index alone and then the single last step", calls)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'c', 'b_id')").Scan(&n); err != nil || n != 4 {
		t.Errorf("%d of the 4 relations made, %v", n, err)
	}

	calls = nil
	err := runBatched(ctx, conn, []plan.Step{{SQL: "CREATE TABLE d (id int)"}, {SQL: "CREATE TABLE a (id int)"}}, exec)
	if err == nil || !strings.Contains(err.Error(), `"a" already exists`) {
		t.Errorf("a failing run: %v", err)
	}
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Errorf("a failing run went to exec as %v, want the whole run", calls)
	}
}
