package migration

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var ctx = context.Background()

// liveHash is the baseline hash of the public schema of conn's database.
func liveHash(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	m, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	return m.Hash()
}

// hashOf is the hash of a fresh database after running sql: what a
// generated migration records as baseline or result.
func hashOf(t *testing.T, sql ...string) string {
	t.Helper()
	db := pgtest.NewDatabase(t)
	for _, s := range sql {
		if s != "" {
			db.Exec(t, s)
		}
	}
	return liveHash(t, db.Connect(t))
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// generated writes a migration the way `migrate generate` does: before is
// the schema it was generated against, steps the statements.
func generated(t *testing.T, dir, name, before string, steps ...plan.Step) {
	t.Helper()
	var sql []string
	for _, s := range steps {
		sql = append(sql, s.SQL)
	}
	baseline := hashOf(t, before)
	result := hashOf(t, append([]string{before}, sql...)...)
	writeFile(t, dir, name, string(Render(strings.TrimSuffix(name, ".sql"), baseline, result, nil, steps)))
}

func tableExists(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func ledgerRows(t *testing.T, conn *pgx.Conn) map[string]*row {
	t.Helper()
	rows, err := readLedger(ctx, conn, DefaultTrackingSchema)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRenderReadRoundTrip(t *testing.T) {
	findings := []hazard.Finding{
		{Kind: hazard.DataLoss, Message: "Drops column public.users.legacy_phone"},
		{Kind: hazard.ValidateConstraintScan, Message: "Validates constraint under ShareUpdateExclusive lock"},
	}
	steps := []plan.Step{
		{SQL: "ALTER TABLE public.users DROP COLUMN legacy_phone;", Summary: "drop column public.users.legacy_phone"},
		{SQL: "ALTER TABLE public.users ADD CONSTRAINT c CHECK (id > 0) NOT VALID", Summary: "add constraint c on public.users"},
		{SQL: "ALTER TABLE public.users VALIDATE CONSTRAINT c;", Summary: "validate constraint c on public.users", Isolation: plan.OwnTransaction},
		{SQL: "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (email);", Summary: "create index public.users_email_idx", Isolation: plan.NoTransaction},
		{SQL: "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;", Summary: "create function public.f()"},
	}
	base := "sha256:" + strings.Repeat("a", 64)
	res := "sha256:" + strings.Repeat("b", 64)
	data := Render("20260520_103245_drop_legacy", base, res, findings, steps)

	wantHead := "-- pg-flux migration 20260520_103245_drop_legacy\n" +
		"-- baseline: " + base + "\n" +
		"-- result:   " + res + "\n" +
		"-- [HAZARD DATA_LOSS] Drops column public.users.legacy_phone\n" +
		"-- [ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock\n" +
		"\n" +
		"-- drop column public.users.legacy_phone\n" +
		"ALTER TABLE public.users DROP COLUMN legacy_phone;\n" +
		"\n" +
		"-- add constraint c on public.users\n" +
		"ALTER TABLE public.users ADD CONSTRAINT c CHECK (id > 0) NOT VALID;\n"
	if !strings.HasPrefix(string(data), wantHead) {
		t.Fatalf("rendered file:\n%s\nwant it to start with:\n%s", data, wantHead)
	}

	p := writeFile(t, t.TempDir(), "20260520_103245_drop_legacy.sql", string(data))
	f, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "20260520_103245_drop_legacy.sql" || f.Baseline != base || f.Result != res || f.Checksum != Checksum(data) {
		t.Errorf("header: name=%q baseline=%q result=%q checksum=%q", f.Name, f.Baseline, f.Result, f.Checksum)
	}
	want := append([]plan.Step(nil), steps...)
	want[1].SQL += ";"
	if !reflect.DeepEqual(f.Steps, want) {
		t.Errorf("steps:\n got %#v\nwant %#v", f.Steps, want)
	}
	if len(f.Statements) != len(steps) || f.Statements[0].Line != 8 {
		t.Errorf("statements: %+v", f.Statements)
	}
}

func TestReadHandWrittenFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "002_b.sql", "-- just a note\nCREATE TABLE b (id int);\nCREATE INDEX CONCURRENTLY b_id ON b (id);\n")
	writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int)")
	writeFile(t, dir, "notes.txt", "not a migration")
	files, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "001_a.sql" || files[1].Name != "002_b.sql" {
		t.Fatalf("files: %+v", files)
	}
	b := files[1]
	if b.Baseline != "" || b.Result != "" {
		t.Errorf("hand-written file has baseline=%q result=%q", b.Baseline, b.Result)
	}
	if len(b.Steps) != 2 || b.Steps[0].Summary != "just a note" || b.Steps[1].Isolation != plan.NoTransaction || b.Steps[0].SQL != "CREATE TABLE b (id int);" {
		t.Errorf("steps: %+v", b.Steps)
	}
	if files, err := ReadDir(filepath.Join(dir, "missing")); err != nil || len(files) != 0 {
		t.Errorf("missing dir: %v, %v", files, err)
	}
	writeFile(t, dir, "003_bad.sql", "CREATE TABLE c (id int);\nCREATE TABLEX d;\n")
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "003_bad.sql:2") {
		t.Errorf("bad file: err = %v, want file:line", err)
	}
}

func TestExecuteRollsBackTheWholeGroup(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	steps := []plan.Step{
		{SQL: "CREATE TABLE a (id int);", Summary: "create table public.a"},
		{SQL: "INSERT INTO a VALUES (1);"},
		{SQL: "INSERT INTO a VALUES ('not a number');", Summary: "insert bad row"},
	}
	err := Execute(ctx, conn, steps)
	var se *StepError
	if !errors.As(err, &se) || se.Index != 2 {
		t.Fatalf("err = %v, want a StepError for step 3", err)
	}
	want := `step 3 of 3 failed (insert bad row: INSERT INTO a VALUES ('not a number');): ERROR: invalid input syntax for type integer: "not a number" (SQLSTATE 22P02)` +
		"\nsteps 1–3 ran in one transaction, which was rolled back: none of them took effect"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	if tableExists(t, conn, "a") {
		t.Error("table a exists: the group was not rolled back")
	}
}

func TestExecuteIsolation(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	steps := []plan.Step{
		{SQL: "CREATE TYPE mood AS ENUM ('sad', 'happy');"},
		{SQL: "CREATE TABLE t (id int, m mood);"},
		// In a transaction with the INSERT below, PostgreSQL refuses to use
		// the new value; alone in its own transaction it is committed first.
		{SQL: "ALTER TYPE mood ADD VALUE 'meh';", Isolation: plan.OwnTransaction},
		{SQL: "INSERT INTO t VALUES (1, 'meh');"},
		// Refused inside a transaction block.
		{SQL: "CREATE INDEX CONCURRENTLY t_id ON t (id);", Isolation: plan.NoTransaction},
		{SQL: "CREATE TABLE after_index (id int);"},
		{SQL: "CREATE INDEX CONCURRENTLY t_id ON t (id);", Summary: "create the index again", Isolation: plan.NoTransaction},
	}
	var done []int
	var inTx []bool
	err := ExecuteWith(ctx, conn, steps, ExecOptions{AfterGroup: func(ctx context.Context, db Execer, n int) error {
		done = append(done, n)
		_, isTx := db.(pgx.Tx)
		inTx = append(inTx, isTx)
		return nil
	}})
	var se *StepError
	if !errors.As(err, &se) || se.Index != 6 || !strings.Contains(err.Error(), `step 7 of 7 failed (create the index again: CREATE INDEX CONCURRENTLY t_id ON t (id);): ERROR: relation "t_id" already exists`) {
		t.Fatalf("err = %v", err)
	}
	if want := []int{2, 3, 4, 5, 6}; !reflect.DeepEqual(done, want) {
		t.Errorf("groups completed after steps %v, want %v", done, want)
	}
	if want := []bool{true, true, true, false, true}; !reflect.DeepEqual(inTx, want) {
		t.Errorf("AfterGroup in a transaction: %v, want %v", inTx, want)
	}
	if !tableExists(t, conn, "after_index") || !tableExists(t, conn, "t_id") {
		t.Error("steps before the failure did not commit")
	}
}

func TestExecuteRetriesWhenLockNotGranted(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE busy (id int)")
	conn := db.Connect(t)
	blocker := db.Connect(t)
	if _, err := blocker.Exec(ctx, "BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(600 * time.Millisecond)
		blocker.Exec(context.Background(), "COMMIT")
	}()
	defer func() { <-released }()
	if _, err := conn.Exec(ctx, "SET lock_timeout = '100ms'"); err != nil {
		t.Fatal(err)
	}
	retries := 0
	err := ExecuteWith(ctx, conn, []plan.Step{{SQL: "ALTER TABLE busy ADD COLUMN note text;"}}, ExecOptions{
		LockRetries: 5, RetryDelay: 100 * time.Millisecond,
		OnRetry: func(step, attempt int, err error) { retries++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	if retries == 0 {
		t.Error("expected at least one retry while the table was locked")
	}
}

func TestApplyHappyPathAndLedger(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	generated(t, dir, "20260101_000000_users.sql", "",
		plan.Step{SQL: "CREATE TABLE public.users (id bigint PRIMARY KEY, email text);", Summary: "create table public.users"},
		plan.Step{SQL: "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (email);", Summary: "create index public.users_email_idx", Isolation: plan.NoTransaction},
	)
	generated(t, dir, "20260102_000000_orders.sql", "CREATE TABLE public.users (id bigint PRIMARY KEY, email text); CREATE INDEX users_email_idx ON public.users USING btree (email);",
		plan.Step{SQL: "CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint REFERENCES public.users);", Summary: "create table public.orders"},
	)
	var out, logs bytes.Buffer
	opts := ApplyOptions{Dir: dir, Version: "v0.1.0-test", Out: &out, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	res, err := Apply(ctx, conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 2 || res.Applied[0].Name != "20260101_000000_users.sql" || res.Applied[1].Name != "20260102_000000_orders.sql" {
		t.Fatalf("applied: %+v", res.Applied)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %q", res.Warnings)
	}
	if !strings.Contains(out.String(), "Applied 20260101_000000_users.sql (2 step(s) in ") {
		t.Errorf("output: %s", out.String())
	}
	if !tableExists(t, conn, "public.orders") || !tableExists(t, conn, "public.users_email_idx") {
		t.Error("migrations did not run")
	}
	rows := ledgerRows(t, conn)
	r := rows["20260101_000000_users.sql"]
	if r == nil || r.Status != "applied" || r.StepsDone != 2 || r.StepsTotal != 2 || r.Version != "v0.1.0-test" ||
		!strings.HasPrefix(r.Checksum, "sha256:") || !strings.HasPrefix(r.Baseline, "sha256:") || r.AppliedAt.IsZero() {
		t.Errorf("ledger row: %+v", r)
	}
	if !strings.Contains(logs.String(), `"msg":"migration_applied"`) {
		t.Errorf("logs: %s", logs.String())
	}

	// Nothing left to do.
	res, err = Apply(ctx, conn, opts)
	if err != nil || len(res.Applied) != 0 {
		t.Fatalf("second apply: %+v, %v", res, err)
	}
}

func TestApplyRefusesChangedAppliedFile(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int);\n")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	recorded := ledgerRows(t, conn)["001_a.sql"].Checksum
	writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int, note text);\n")
	writeFile(t, dir, "002_b.sql", "CREATE TABLE b (id int);\n")
	current, _ := ReadFile(p)
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "checksum" {
		t.Fatalf("err = %v, want a checksum refusal", err)
	}
	want := "refusing to apply: 001_a.sql was changed after it was applied\n" +
		"(recorded checksum=" + recorded[7:19] + "…, current=" + current.Checksum[7:19] + "…).\n" +
		"Run `pg-flux migrate repair` if only comments changed, otherwise restore the file and add a new migration."
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
	if tableExists(t, conn, "b") {
		t.Error("002_b.sql ran although apply was refused")
	}
}

// driftSetup writes a migration generated against an empty database, then
// drifts the live database with a hand-made table.
func driftSetup(t *testing.T) (*pgx.Conn, string, string, string) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	generated(t, dir, "20260520_add_role.sql", "",
		plan.Step{SQL: "CREATE TABLE public.roles (id int PRIMARY KEY);", Summary: "create table public.roles"})
	f, err := ReadFile(filepath.Join(dir, "20260520_add_role.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(t, "CREATE TABLE hotfix (id int)")
	return conn, dir, f.Baseline, liveHash(t, conn)
}

func TestApplyRefusesBaselineDrift(t *testing.T) {
	conn, dir, baseline, live := driftSetup(t)
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "baseline" || re.File != "20260520_add_role.sql" {
		t.Fatalf("err = %v, want a baseline refusal", err)
	}
	want := "refusing to apply 20260520_add_role.sql: live database state has drifted\n" +
		"since this migration was generated (expected baseline=" + baseline[7:19] + "…, live=" + live[7:19] + "…).\n" +
		"Re-run `pg-flux migrate generate` to rebase the migration,\n" +
		"or pass --force-after-drift to apply anyway."
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
	if tableExists(t, conn, "public.roles") {
		t.Error("the migration ran although it was refused")
	}
	if len(ledgerRows(t, conn)) != 0 {
		t.Error("the refused migration was recorded in the ledger")
	}
}

func TestApplyForceAfterDrift(t *testing.T) {
	conn, dir, _, _ := driftSetup(t)
	var logs bytes.Buffer
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir, ForceAfterDrift: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || !tableExists(t, conn, "public.roles") {
		t.Fatalf("not applied: %+v", res)
	}
	// Drift before means the result differs too: both are warnings.
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "applying anyway (--force-after-drift)") ||
		!strings.Contains(res.Warnings[1], "is not the state it was generated to produce") {
		t.Errorf("warnings: %q", res.Warnings)
	}
	if !strings.Contains(logs.String(), `"msg":"baseline_drift_forced"`) {
		t.Errorf("logs: %s", logs.String())
	}
}

func hazardSetup(t *testing.T) (*pgx.Conn, string) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE users (id bigint PRIMARY KEY, legacy_phone text)")
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "20260520_drop_legacy.sql",
		"CREATE TABLE audit (id int);\n\nALTER TABLE users DROP COLUMN legacy_phone;\n")
	return conn, dir
}

func legacyPhoneExists(t *testing.T, conn *pgx.Conn) bool {
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'legacy_phone' AND NOT attisdropped").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestApplyRefusesDataLoss(t *testing.T) {
	conn, dir := hazardSetup(t)
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, AllowHazards: []hazard.Kind{hazard.ColumnTypeChange}})
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "hazard" || len(re.Findings) != 1 {
		t.Fatalf("err = %v, want a hazard refusal", err)
	}
	want := "refusing to apply 20260520_drop_legacy.sql: blocking hazards not allowed\n" +
		"[HAZARD DATA_LOSS] Drops column public.users.legacy_phone\n" +
		"To allow: pg-flux migrate apply --allow-hazards=DATA_LOSS,COLUMN_TYPE_CHANGE"
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
	if tableExists(t, conn, "audit") || !legacyPhoneExists(t, conn) {
		t.Error("statements ran although apply was refused")
	}
	if len(ledgerRows(t, conn)) != 0 {
		t.Error("the refused migration was recorded in the ledger")
	}
}

func TestApplyRecordsAllowedHazard(t *testing.T) {
	conn, dir := hazardSetup(t)
	var logs bytes.Buffer
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir, AllowHazards: []hazard.Kind{hazard.DataLoss},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || len(res.Applied[0].Allowed) != 1 || res.Applied[0].Allowed[0].Statement != 1 {
		t.Fatalf("applied: %+v", res.Applied)
	}
	if legacyPhoneExists(t, conn) {
		t.Error("column not dropped")
	}
	r := ledgerRows(t, conn)["20260520_drop_legacy.sql"]
	if want := []string{"[HAZARD DATA_LOSS] Drops column public.users.legacy_phone"}; r == nil || !reflect.DeepEqual(r.AllowedHazards, want) {
		t.Errorf("ledger row: %+v", r)
	}
	for _, s := range []string{`"msg":"hazard_allowed"`, `"migration":"20260520_drop_legacy.sql"`, `"hazard":"DATA_LOSS"`, `"allowed":true`, `20260520_drop_legacy.sql:3"`} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("logs lack %s:\n%s", s, logs.String())
		}
	}
}

func TestApplyLockHeld(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	other := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int);")
	target := "db.example:5432/app"
	if _, err := other.Exec(ctx, "SELECT pg_advisory_lock($1)", LockKey(target)); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir, Target: target, LockWait: 600 * time.Millisecond})
	if !errors.Is(err, ErrLockHeld) || err.Error() != "could not acquire migration advisory lock (another apply in progress)" {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(began); d < 500*time.Millisecond {
		t.Errorf("gave up after %s, before LockWait", d)
	}
	if tableExists(t, conn, "a") {
		t.Error("migration ran without the lock")
	}
	// Once released, the next apply goes ahead and releases it in turn.
	if _, err := other.Exec(ctx, "SELECT pg_advisory_unlock($1)", LockKey(target)); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, Target: target, LockWait: 600 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := other.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey(target)).Scan(&ok); err != nil || !ok {
		t.Errorf("lock not released after apply: %v %v", ok, err)
	}
}

func TestApplyDryRunExecutesNothing(t *testing.T) {
	conn, dir := hazardSetup(t)
	writeFile(t, dir, "20260521_index.sql", "CREATE INDEX CONCURRENTLY users_id ON users (id);\n")
	var out bytes.Buffer
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir, DryRun: true, Out: &out, AllowHazards: []hazard.Kind{hazard.DataLoss}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 2 || !res.DryRun {
		t.Errorf("result: %+v", res)
	}
	want := "-- would apply 20260520_drop_legacy.sql (2 step(s))\n" +
		"-- [HAZARD DATA_LOSS] Drops column public.users.legacy_phone (allowed)\n" +
		"CREATE TABLE audit (id int);\n" +
		"ALTER TABLE users DROP COLUMN legacy_phone;\n\n" +
		"-- would apply 20260521_index.sql (1 step(s))\n" +
		"-- (runs outside a transaction)\n" +
		"CREATE INDEX CONCURRENTLY users_id ON users (id);\n\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if tableExists(t, conn, "audit") || !legacyPhoneExists(t, conn) || tableExists(t, conn, "_pgflux.migrations") {
		t.Error("dry run changed the database")
	}
	// Refusals are the same as for a real run.
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, DryRun: true}); !errors.As(err, new(*RefusedError)) {
		t.Errorf("dry run without allowance: err = %v", err)
	}
}

func TestApplyResumesAfterFailure(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY ext_id ON ext (id);\nCREATE TABLE c (id int);\n")
	_, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "apply 001_a.sql: step 2 of 3 failed (CREATE INDEX CONCURRENTLY ext_id ON ext (id);): ERROR: relation \"ext\" does not exist") ||
		!strings.Contains(err.Error(), "steps 1–1 committed and are recorded in the ledger; fix the cause and re-run `pg-flux migrate apply` to resume at step 2") {
		t.Fatalf("err = %v", err)
	}
	r := ledgerRows(t, conn)["001_a.sql"]
	if r == nil || r.Status != "partial" || r.StepsDone != 1 || r.StepsTotal != 3 {
		t.Fatalf("ledger row: %+v", r)
	}
	st, err := Status(ctx, conn, dir, "")
	if err != nil || len(st) != 1 || st[0].State != StatePartial {
		t.Fatalf("status: %+v, %v", st, err)
	}

	// Deleted meanwhile, it is not "applied": apply refuses until it is
	// back, and status says it is partly applied.
	path := filepath.Join(dir, "001_a.sql")
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "001_a.sql was partly applied (1 of 3 step(s) ran) and is no longer in the migrations directory") {
		t.Errorf("apply without the partly applied file: %v", err)
	}
	if st, err := Status(ctx, conn, dir, ""); err != nil || len(st) != 1 || st[0].State != StateMissingFile || !strings.Contains(st[0].Note, "partly applied (1 of 3 step(s))") {
		t.Errorf("status without the partly applied file: %+v, %v", st, err)
	}
	writeFile(t, dir, "001_a.sql", string(saved))

	db.Exec(t, "CREATE TABLE ext (id int)")
	// Step 1 (CREATE TABLE a) would fail if it ran again.
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || res.Applied[0].FirstStep != 1 {
		t.Errorf("applied: %+v", res.Applied)
	}
	r = ledgerRows(t, conn)["001_a.sql"]
	if r.Status != "applied" || r.StepsDone != 3 || !tableExists(t, conn, "c") {
		t.Errorf("ledger row after resume: %+v", r)
	}
}

func TestApplyWarnsOutOfOrder(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "002_b.sql", "CREATE TABLE b (id int);")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "001_a.sql", "CREATE TABLE a (id int);")
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{outOfOrderWarning("001_a.sql", "002_b.sql")}; !reflect.DeepEqual(res.Warnings, want) {
		t.Errorf("warnings: %q", res.Warnings)
	}
	if !tableExists(t, conn, "a") {
		t.Error("out-of-order file not applied")
	}
}

func TestApplySetsLockTimeout(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	writeFile(t, dir, "001_a.sql", "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS v;")
	if _, err := Apply(ctx, conn, ApplyOptions{Dir: dir, LockTimeout: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var during, after string
	if err := conn.QueryRow(ctx, "SELECT v, current_setting('lock_timeout') FROM seen").Scan(&during, &after); err != nil {
		t.Fatal(err)
	}
	if during != "1500ms" || after != "0" {
		t.Errorf("lock_timeout during apply = %q, after = %q", during, after)
	}
}

func TestStatusAndBaseline(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	dir := t.TempDir()
	initial := writeFile(t, dir, "20260101_initial.sql", "CREATE TABLE users (id int);")
	writeFile(t, dir, "20260102_more.sql", "CREATE TABLE more (id int);")

	st, err := Status(ctx, conn, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].State != StatePending || st[1].State != StatePending || tableExists(t, conn, "_pgflux.migrations") {
		t.Fatalf("status before anything: %+v", st)
	}

	// The database already has the initial schema.
	db.Exec(t, "CREATE TABLE users (id int)")
	names, err := Baseline(ctx, conn, "", []string{initial})
	if err != nil || !reflect.DeepEqual(names, []string{"20260101_initial.sql"}) {
		t.Fatalf("baseline: %v, %v", names, err)
	}
	// Idempotent.
	if names, err := Baseline(ctx, conn, "", []string{initial}); err != nil || len(names) != 1 {
		t.Fatalf("baseline again: %v, %v", names, err)
	}
	res, err := Apply(ctx, conn, ApplyOptions{Dir: dir})
	if err != nil || len(res.Applied) != 1 || res.Applied[0].Name != "20260102_more.sql" {
		t.Fatalf("apply after baseline: %+v, %v", res, err)
	}

	os.Remove(filepath.Join(dir, "20260102_more.sql"))
	writeFile(t, dir, "20260101_initial.sql", "-- edited\nCREATE TABLE users (id int);")
	writeFile(t, dir, "20260103_next.sql", "CREATE TABLE next (id int);")
	st, err = Status(ctx, conn, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]StatusEntry{}
	for _, e := range st {
		got[e.Name] = e
	}
	if e := got["20260101_initial.sql"]; e.State != StateModified || !e.Baselined || !e.ChecksumMismatch || e.AppliedAt.IsZero() {
		t.Errorf("initial: %+v", e)
	}
	if e := got["20260102_more.sql"]; e.State != StateMissingFile || e.Baselined || e.StepsDone != 1 {
		t.Errorf("more: %+v", e)
	}
	if e := got["20260103_next.sql"]; e.State != StatePending || e.ChecksumMismatch || e.StepsTotal != 1 {
		t.Errorf("next: %+v", e)
	}
	if len(st) != 3 || st[0].Name != "20260101_initial.sql" || st[2].Name != "20260103_next.sql" {
		t.Errorf("order: %+v", st)
	}

	// A file recorded with another checksum is not re-marked.
	if _, err := Baseline(ctx, conn, "", []string{initial}); err == nil || !strings.Contains(err.Error(), "already recorded in the ledger (status baselined) with a different checksum") {
		t.Errorf("baseline of a changed file: %v", err)
	}
}

// A ledger written before the checksum chain existed is brought forward:
// its rows get seq and chain in the order they were applied.
func TestLedgerForwardMigration(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	db.Exec(t, `CREATE SCHEMA _pgflux;
CREATE TABLE _pgflux.migrations (
	filename text PRIMARY KEY, checksum text NOT NULL, baseline text NOT NULL DEFAULT '', result text NOT NULL DEFAULT '',
	applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint NOT NULL DEFAULT 0, pgflux_version text NOT NULL DEFAULT '',
	allowed_hazards text[] NOT NULL DEFAULT '{}', steps_done int NOT NULL DEFAULT 0, steps_total int NOT NULL DEFAULT 0,
	status text NOT NULL CHECK (status IN ('applied', 'partial', 'baselined')));
INSERT INTO _pgflux.migrations (filename, checksum, applied_at, status) VALUES
	('002_b.sql', 'sha256:bb', '2026-01-02', 'applied'), ('001_a.sql', 'sha256:aa', '2026-01-01', 'applied')`)
	if rows := ledgerRows(t, conn); len(rows) != 2 || rows["001_a.sql"].Seq != 1 || rows["002_b.sql"].Chain != "" {
		t.Fatalf("old ledger read as it is: %+v", rows)
	}
	if err := ensureLedger(ctx, conn, ""); err != nil {
		t.Fatal(err)
	}
	if err := ensureLedger(ctx, conn, ""); err != nil { // idempotent
		t.Fatal(err)
	}
	rows := ledgerRows(t, conn)
	a, b := rows["001_a.sql"], rows["002_b.sql"]
	if a.Seq != 1 || b.Seq != 2 || a.Chain != chainHash("", "001_a.sql", "sha256:aa") || b.Chain != chainHash(a.Chain, "002_b.sql", "sha256:bb") {
		t.Errorf("migrated rows: %+v %+v", a, b)
	}
	// The new status is accepted, and new rows link to the last one.
	if err := writeRow(ctx, conn, "", &row{Filename: "003_c.sql", Checksum: "sha256:cc", Status: statusRollingBack}); err != nil {
		t.Fatal(err)
	}
	if c := ledgerRows(t, conn)["003_c.sql"]; c.Seq != 3 || c.Chain != chainHash(b.Chain, "003_c.sql", "sha256:cc") {
		t.Errorf("new row: %+v", c)
	}
}
