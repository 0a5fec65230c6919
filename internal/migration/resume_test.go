package migration

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
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

// TestResumeRestoresSessionSettings: a file whose first step is a session
// setting (a generated file's SET check_function_bodies = false) fails on
// data at a later step, after a group with the setting committed. The next
// apply runs in a new session, where the setting no longer holds: it must
// set it again before resuming, and run nothing else of the committed
// steps (CREATE TABLE extra fails if it runs twice).
func TestResumeRestoresSessionSettings(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t VALUES (-1)")
	dir := t.TempDir()
	scan := []hazard.Kind{hazard.ConstraintScan}
	writeFile(t, dir, "001_a.sql", "SET check_function_bodies = false;\n"+
		"SET LOCAL lock_timeout = '1ms';\n"+
		"CREATE TABLE extra (id int);\n"+
		"CREATE INDEX CONCURRENTLY t_id ON t (id);\n"+
		"ALTER TABLE t ADD CONSTRAINT t_pos CHECK (id > 0);\n"+
		// The body names a table created after it: checked, it fails.
		"CREATE FUNCTION later_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM later $$;\n"+
		"CREATE TABLE later (id int);\n")
	if _, err := Apply(ctx, db.Connect(t), ApplyOptions{Dir: dir, AllowHazards: scan}); err == nil || !strings.Contains(err.Error(), "step 5 of 7 failed") {
		t.Fatalf("first apply: %v", err)
	}
	if r := ledgerRows(t, db.Connect(t))["001_a.sql"]; r == nil || r.Status != "partial" || r.StepsDone != 4 {
		t.Fatalf("ledger row after the failed step: %+v", r)
	}
	db.Exec(t, "DELETE FROM t WHERE id < 0")
	// A new session, as the next `pg-flux migrate apply` has.
	conn := db.Connect(t)
	var out strings.Builder
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, AllowHazards: scan, DryRun: true, Out: &out}); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if s := out.String(); !strings.Contains(s, "run again first:\nSET check_function_bodies = false;\nALTER TABLE t ADD") {
		t.Errorf("dry run does not show the setting run again:\n%s", s)
	}
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir, AllowHazards: scan})
	if err != nil {
		t.Fatalf("resumed apply: %v", err)
	}
	if len(res.Applied) != 1 || res.Applied[0].FirstStep != 4 {
		t.Errorf("applied: %+v", res.Applied)
	}
	if r := ledgerRows(t, conn)["001_a.sql"]; r.Status != "applied" || r.StepsDone != 7 {
		t.Errorf("ledger row after resume: %+v", r)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT later_count()").Scan(&n); err != nil || n != 0 {
		t.Errorf("later_count() = %d, %v", n, err)
	}
}

// TestRollbackResumeRestoresSessionSettings: the same for a Down section
// whose rollback stopped after its leading setting committed.
func TestRollbackResumeRestoresSessionSettings(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE t (id int)")
	dir := t.TempDir()
	scan := []hazard.Kind{hazard.ConstraintScan}
	writeFile(t, dir, "001_a.sql", "CREATE TABLE extra (id int);\n"+
		DownMarker+"\n"+
		"SET check_function_bodies = false;\n"+
		"CREATE INDEX CONCURRENTLY t_id ON t (id);\n"+
		"ALTER TABLE t ADD CONSTRAINT t_pos CHECK (id > 0);\n"+
		"CREATE FUNCTION later_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM later $$;\n"+
		"CREATE TABLE later (id int);\n")
	if _, err := Apply(ctx, db.Connect(t), ApplyOptions{Dir: dir, AllowHazards: scan}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	db.Exec(t, "INSERT INTO t VALUES (-1)")
	if _, err := Rollback(ctx, db.Connect(t), RollbackOptions{ApplyOptions: ApplyOptions{Dir: dir, AllowHazards: scan}}); err == nil || !strings.Contains(err.Error(), "step 3 of 5 failed") {
		t.Fatalf("first rollback: %v", err)
	}
	if r := ledgerRows(t, db.Connect(t))["001_a.sql"]; r == nil || r.Status != statusRollingBack || r.DownDone != 2 {
		t.Fatalf("ledger row after the failed Down step: %+v", r)
	}
	db.Exec(t, "DELETE FROM t WHERE id < 0")
	if _, err := Rollback(ctx, db.Connect(t), RollbackOptions{ApplyOptions: ApplyOptions{Dir: dir, AllowHazards: scan}}); err != nil {
		t.Fatalf("resumed rollback: %v", err)
	}
	if r := ledgerRows(t, db.Connect(t))["001_a.sql"]; r != nil {
		t.Errorf("ledger row after the rollback: %+v", r)
	}
}

// TestSessionSettings: what a resumed run sets again — settings that
// outlast their transaction, before the resume point, and nothing else.
func TestSessionSettings(t *testing.T) {
	stmts, err := source.Split("f.sql", "SET check_function_bodies = false;\n"+ // 0
		"SET LOCAL lock_timeout = '1s';\n"+ // 1
		"RESET search_path;\n"+ // 2
		"SELECT pg_catalog.set_config('search_path', '', false);\n"+ // 3
		"SELECT set_config('search_path', '', true);\n"+ // 4
		"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n"+ // 5
		"SELECT 1;\n"+ // 6
		"CREATE TABLE t (id int);\n"+ // 7
		"SET SESSION statement_timeout = 0;\n"+ // 8
		"SET work_mem = '64MB';\n") // 9: at the resume point, not before it
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(SessionSettings(stmts, 9)), "[0 2 3 8]"; got != want {
		t.Errorf("SessionSettings(…, 9) = %s, want %s", got, want)
	}
	if got := SessionSettings(stmts, 0); len(got) != 0 {
		t.Errorf("SessionSettings(…, 0) = %v, want none", got)
	}
}

// TestFailedReindexLeavesNoCopy: REINDEX INDEX CONCURRENTLY over rows a
// unique index refuses fails and leaves its INVALID "_ccnew" copy beside
// the index. Apply drops the copy after the step fails (and before it
// runs, for a killed run resumed), so the failed rebuild leaves the
// indexes as they were, and the next apply, the rows fixed, rebuilds the
// index.
func TestFailedReindexLeavesNoCopy(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (1)")
	for _, sql := range []string{
		"CREATE UNIQUE INDEX CONCURRENTLY t_id ON t (id)",
		"CREATE UNIQUE INDEX CONCURRENTLY other_ccnew ON t (id)", // not t_id's: kept
	} {
		if _, err := conn.Exec(ctx, sql); err == nil {
			t.Fatalf("%s over duplicate rows succeeded", sql)
		}
	}
	indexes := func() string {
		var s string
		if err := conn.QueryRow(ctx, `SELECT string_agg(c.relname || ':' || i.indisvalid, ' ' ORDER BY c.relname)
			FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	const reindex = "REINDEX INDEX CONCURRENTLY public.t_id;"
	// A run killed during the rebuild leaves the copy; the step drops it
	// before it runs again.
	if _, err := conn.Exec(ctx, reindex); err == nil {
		t.Fatal("REINDEX over duplicate rows succeeded")
	}
	if got := indexes(); got != "other_ccnew:false t_id:false t_id_ccnew:false" {
		t.Fatalf("indexes after a failed REINDEX: %s", got)
	}
	if err := dropReindexLeftovers(ctx, conn, reindex); err != nil {
		t.Fatal(err)
	}
	if got := indexes(); got != "other_ccnew:false t_id:false" {
		t.Fatalf("indexes after dropReindexLeftovers: %s", got)
	}

	dir := t.TempDir()
	generated(t, dir, "001_a.sql", "CREATE TABLE t (id int); CREATE UNIQUE INDEX t_id ON t (id); CREATE UNIQUE INDEX other_ccnew ON t (id);",
		plan.Step{SQL: reindex, Isolation: plan.NoTransaction})
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "could not create unique index") {
		t.Fatalf("apply over duplicate rows: %v", err)
	}
	if got := indexes(); got != "other_ccnew:false t_id:false" {
		t.Errorf("indexes after the failed apply: %s", got)
	}
	db.Exec(t, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatalf("apply once the rows are fixed: %v", err)
	}
	if got := indexes(); got != "other_ccnew:false t_id:true" {
		t.Errorf("indexes after apply: %s", got)
	}
}
