package migration

import (
	"errors"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// TestResumeKeepsNewObjectsNew: a file that creates a table and later
// indexes it plainly (no hazard: the table is new) is resumed after the
// CREATE TABLE committed. The resumed apply must still treat the table as
// created by this file, not refuse the plain index as NON_CONCURRENT_INDEX
// on an existing table. (Found by the kill/resume property test.)
func TestResumeKeepsNewObjectsNew(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	db.Exec(t, "CREATE TABLE t (id int); CREATE TABLE other (id int); CREATE INDEX t_idx ON other (id)")
	dir := t.TempDir()
	// Step 2 fails while other's index holds the name t_idx.
	writeFile(t, dir, "001_a.sql", "CREATE TABLE extra (id int, t_id int);\n"+
		"CREATE INDEX CONCURRENTLY t_idx ON t (id);\n"+
		"ALTER TABLE extra ADD CONSTRAINT extra_t_check CHECK (t_id > 0);\n"+
		"CREATE INDEX extra_t_idx ON extra (t_id);\n")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "step 2 of 4 failed") {
		t.Fatalf("first apply: %v", err)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r == nil || r.StepsDone != 1 {
		t.Fatalf("ledger row: %+v", r)
	}
	db.Exec(t, "DROP INDEX t_idx")
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	if err != nil {
		t.Fatalf("resumed apply: %v", err)
	}
	if len(res.Applied) != 1 || res.Applied[0].FirstStep != 1 {
		t.Errorf("applied: %+v", res.Applied)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r.Status != "applied" || r.StepsDone != 4 {
		t.Errorf("ledger row after resume: %+v", r)
	}
}

// TestResumeStillRefusesHazardsOfRemainingSteps: the steps still to run of
// a resumed file are checked as before.
func TestResumeStillRefusesHazardsOfRemainingSteps(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	db.Exec(t, "CREATE TABLE t (id int, legacy text); CREATE TABLE other (id int); CREATE INDEX t_idx ON other (id)")
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE extra (id int);\n"+
		"CREATE INDEX CONCURRENTLY t_idx ON t (id);\n"+
		"ALTER TABLE t DROP COLUMN legacy;\n")
	// The first run is allowed DATA_LOSS and stops at step 2.
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, AllowHazards: []hazard.Kind{hazard.DataLoss}}); err == nil {
		t.Fatal("first apply succeeded")
	}
	db.Exec(t, "DROP INDEX t_idx")
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "hazard" || !strings.Contains(err.Error(), "DATA_LOSS") {
		t.Fatalf("resumed apply without --allow-hazards: %v", err)
	}
}

// TestResumeAfterInterruptedFirstStep: a file whose first step runs outside
// a transaction and fails half-way (a concurrent unique index build that
// leaves an INVALID index) has changed live before any step was recorded.
// The next apply must resume the file, not refuse it because live no longer
// matches the file's baseline. (Found by the kill/resume property test: a
// SIGKILL during a first DROP INDEX CONCURRENTLY.)
func TestResumeAfterInterruptedFirstStep(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	before := "CREATE TABLE t (id int);"
	db.Exec(t, before+" INSERT INTO t VALUES (1), (1)")
	dir := t.TempDir()
	generated(t, dir, "001_a.sql", before,
		plan.Step{SQL: "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id ON t (id);"},
		plan.Step{SQL: "CREATE TABLE extra (id int);"})
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "step 1 of 2 failed") {
		t.Fatalf("first apply: %v", err)
	}
	if v := indexValid(t, conn, "t_id"); v != "false" {
		t.Fatalf("t_id after the failed build: indisvalid=%s, want an INVALID index", v)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r == nil || r.Status != "partial" || r.StepsDone != 0 {
		t.Fatalf("ledger row after the failed first step: %+v", r)
	}
	db.Exec(t, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatalf("resumed apply: %v", err)
	}
	if v := indexValid(t, conn, "t_id"); v != "true" {
		t.Errorf("t_id after resume: indisvalid=%s", v)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r.Status != "applied" || r.StepsDone != 2 {
		t.Errorf("ledger row after resume: %+v", r)
	}
}

// TestRollbackResumesAfterInterruptedFirstStep: a Down whose first step runs
// outside a transaction (CREATE UNIQUE INDEX CONCURRENTLY) fails and leaves
// an invalid index behind, so live is no longer the file's result. The
// ledger must say the rollback began, and the next rollback must resume it
// rather than refuse live as drifted. (Found by the kill/resume property
// test: a rollback killed right after DROP INDEX CONCURRENTLY.)
func TestRollbackResumesAfterInterruptedFirstStep(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	before := "CREATE TABLE t (id int); CREATE UNIQUE INDEX t_id ON t (id);"
	db.Exec(t, before+" INSERT INTO t VALUES (1)")
	dir := t.TempDir()
	up := plan.Step{SQL: "DROP INDEX CONCURRENTLY IF EXISTS t_id;", Summary: "drop index t_id", Isolation: plan.NoTransaction}
	down := plan.Step{SQL: "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id ON public.t USING btree (id);", Summary: "create index t_id", Isolation: plan.NoTransaction}
	writeFile(t, dir, "001_a.sql", string(RenderWithDown("001_a", hashOf(t, before), hashOf(t, before, up.SQL), nil,
		[]plan.Step{up}, &Down{Steps: []plan.Step{down}})))
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	db.Exec(t, "INSERT INTO t VALUES (1)")
	if _, err := Rollback(ctx, conn, RollbackOptions{ApplyOptions: ApplyOptions{Dir: dir}}); err == nil || !strings.Contains(err.Error(), "could not create unique index") {
		t.Fatalf("first rollback: %v, want the unique index build to fail", err)
	}
	if v := indexValid(t, conn, "t_id"); v != "false" {
		t.Fatalf("t_id after the failed build: indisvalid=%s, want an INVALID index", v)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r == nil || r.Status != statusRollingBack || r.DownDone != 0 {
		t.Fatalf("ledger row after the failed first Down step: %+v, want rolling_back with 0 steps done", r)
	}
	db.Exec(t, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)")
	if _, err := Rollback(ctx, conn, RollbackOptions{ApplyOptions: ApplyOptions{Dir: dir}}); err != nil {
		t.Fatalf("resumed rollback: %v", err)
	}
	if v := indexValid(t, conn, "t_id"); v != "true" {
		t.Errorf("t_id after the resumed rollback: indisvalid=%s", v)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r != nil {
		t.Errorf("ledger row after the rollback: %+v, want none", r)
	}
}
