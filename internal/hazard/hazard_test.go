package hazard

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// liveModel is a small live database: public.users, public.events,
// public.legacy_users and a column that uses the enum public.mood.
func liveModel() *model.Model {
	m := model.New()
	add := func(schema, name string, cols ...*model.Column) {
		q := model.QName{Schema: schema, Name: name}
		m.Tables[q] = &model.Table{Name: q, Columns: cols, Constraints: map[string]*model.Constraint{}}
	}
	add("public", "users",
		&model.Column{Name: "id", Type: "bigint"},
		&model.Column{Name: "legacy_phone", Type: "text"},
		&model.Column{Name: "email", Type: "character varying(100)"},
		&model.Column{Name: "code", Type: "character(3)"},
		&model.Column{Name: "mood", Type: "public.mood"},
		&model.Column{Name: "name", Type: "text", Collation: `"C"`},
	)
	add("public", "events",
		&model.Column{Name: "tenant_id", Type: "integer"},
		&model.Column{Name: "amount", Type: "numeric(10,2)"},
		&model.Column{Name: "note", Type: "text"},
		&model.Column{Name: "at", Type: "timestamp(3) with time zone"},
		&model.Column{Name: "tags", Type: "character varying(20)[]"},
	)
	add("public", "legacy_users", &model.Column{Name: "id", Type: "integer"})
	add("Sales", "Order Lines", &model.Column{Name: "Qty", Type: "integer"})
	m.Enums[model.QName{Schema: "public", Name: "mood"}] = &model.Enum{Name: model.QName{Schema: "public", Name: "mood"}, Labels: []string{"sad", "ok", "happy"}}
	events := model.QName{Schema: "public", Name: "events"}
	m.Stats[events] = model.TableStats{RelTuples: 50e6, RelPages: 1000}
	m.Indexes[model.QName{Schema: "public", Name: "events_note_idx"}] = &model.Index{Name: model.QName{Schema: "public", Name: "events_note_idx"},
		Table: events, Definition: "CREATE INDEX events_note_idx ON public.events USING btree (lower(note))"}
	m.Enums[model.QName{Schema: "public", Name: "unused"}] = &model.Enum{Name: model.QName{Schema: "public", Name: "unused"}}
	return m
}

func stmts(sqls ...string) []source.Statement {
	out := make([]source.Statement, len(sqls))
	for i, s := range sqls {
		out[i] = source.Statement{File: "m.sql", Line: i + 1, SQL: s}
	}
	return out
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		sql  []string
		nil  bool     // classify without a live model
		want []string // Finding.String(), in order
	}{
		{"drop table", []string{"DROP TABLE legacy_users"},
			false, []string{"[HAZARD DATA_LOSS] Drops table public.legacy_users"}},
		{"drop tables qualified and quoted", []string{`DROP TABLE IF EXISTS public.legacy_users, "Sales"."Order Lines" CASCADE`},
			false, []string{"[HAZARD DATA_LOSS] Drops table public.legacy_users", `[HAZARD DATA_LOSS] Drops table "Sales"."Order Lines"`}},
		{"drop column", []string{"ALTER TABLE public.users DROP COLUMN legacy_phone"},
			false, []string{"[HAZARD DATA_LOSS] Drops column public.users.legacy_phone"}},
		{"drop column quoted", []string{`ALTER TABLE "Sales"."Order Lines" DROP COLUMN "Qty"`},
			false, []string{`[HAZARD DATA_LOSS] Drops column "Sales"."Order Lines"."Qty"`}},
		{"drop view", []string{"DROP VIEW active_users"},
			false, []string{"[HAZARD DATA_LOSS] Drops view public.active_users"}},
		{"drop materialized view", []string{"DROP MATERIALIZED VIEW reports.daily"},
			false, []string{"[HAZARD DATA_LOSS] Drops materialized view reports.daily"}},
		{"drop type used by a column", []string{"DROP TYPE mood"},
			false, []string{"[HAZARD DATA_LOSS] Drops type public.mood (used by public.users.mood)"}},
		{"drop unused type", []string{"DROP TYPE public.unused"}, false, nil},
		{"drop type without live context", []string{"DROP TYPE public.unused"},
			true, []string{"[HAZARD DATA_LOSS] Drops type public.unused"}},
		{"drop domain", []string{"DROP DOMAIN email_address"},
			false, []string{"[HAZARD DATA_LOSS] Drops domain public.email_address"}},
		{"drop schema cascade", []string{"DROP SCHEMA archive CASCADE"},
			false, []string{"[HAZARD DATA_LOSS] Drops schema archive with everything in it (CASCADE)"}},
		{"drop empty schema", []string{"DROP SCHEMA archive"}, false, nil},
		{"truncate", []string{"TRUNCATE events"},
			false, []string{"[HAZARD DATA_LOSS] Truncates table public.events"}},
		{"drop index is not data loss", []string{"DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx"}, false, nil},
		{"table created in the same list", []string{
			"CREATE TABLE scratch (id int, junk text)",
			"ALTER TABLE scratch DROP COLUMN junk",
			"ALTER TABLE scratch ALTER COLUMN id TYPE bigint",
			"ALTER TABLE scratch ADD CONSTRAINT c CHECK (id > 0)",
			"DROP TABLE scratch",
		}, false, nil},
		{"column added in the same list", []string{
			"ALTER TABLE users ADD COLUMN tmp text",
			"ALTER TABLE users ALTER COLUMN tmp TYPE integer USING tmp::integer",
			"ALTER TABLE users DROP COLUMN tmp",
		}, false, nil},

		// COLUMN_TYPE_CHANGE.
		{"int to bigint", []string{"ALTER TABLE public.events ALTER COLUMN tenant_id TYPE bigint USING tenant_id::bigint"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.tenant_id TYPE bigint USING tenant_id::bigint"}},
		{"int to bigint, other spelling", []string{"alter table events alter tenant_id set data type int8"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.tenant_id TYPE int8"}},
		{"varchar longer", []string{"ALTER TABLE users ALTER COLUMN email TYPE varchar(200)"}, false, nil},
		{"varchar same length", []string{"ALTER TABLE users ALTER COLUMN email TYPE character varying(100)"}, false, nil},
		{"varchar shorter", []string{"ALTER TABLE users ALTER COLUMN email TYPE varchar(50)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.email TYPE varchar(50)"}},
		{"varchar to text", []string{"ALTER TABLE users ALTER COLUMN email TYPE text"}, false, nil},
		{"varchar to unbounded varchar", []string{"ALTER TABLE users ALTER COLUMN email TYPE varchar"}, false, nil},
		{"varchar to text with trivial USING", []string{"ALTER TABLE users ALTER COLUMN email TYPE text USING email::text"}, false, nil},
		{"varchar to text with real USING", []string{"ALTER TABLE users ALTER COLUMN email TYPE text USING lower(email)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.email TYPE text USING lower(email)"}},
		{"text to varchar", []string{"ALTER TABLE events ALTER COLUMN note TYPE varchar"}, false, nil},
		{"text to bounded varchar", []string{"ALTER TABLE events ALTER COLUMN note TYPE varchar(10)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.note TYPE varchar(10)"}},
		{"char to text rewrites", []string{"ALTER TABLE users ALTER COLUMN code TYPE text"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.code TYPE text"}},
		{"numeric wider", []string{"ALTER TABLE events ALTER COLUMN amount TYPE numeric(12,2)"}, false, nil},
		{"numeric unconstrained", []string{"ALTER TABLE events ALTER COLUMN amount TYPE numeric"}, false, nil},
		{"numeric scale change", []string{"ALTER TABLE events ALTER COLUMN amount TYPE numeric(12,3)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.amount TYPE numeric(12, 3)"}},
		{"numeric narrower", []string{"ALTER TABLE events ALTER COLUMN amount TYPE decimal(8,2)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.amount TYPE numeric(8, 2)"}},
		{"timestamptz precision increase", []string{"ALTER TABLE events ALTER COLUMN at TYPE timestamptz(6)"}, false, nil},
		{"varchar array longer rewrites", []string{"ALTER TABLE events ALTER COLUMN tags TYPE varchar(40)[]"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.tags TYPE varchar(40)[]"}},
		{"varchar array same", []string{"ALTER TABLE events ALTER COLUMN tags TYPE varchar(20)[]"}, false, nil},
		{"varchar array to scalar", []string{"ALTER TABLE events ALTER COLUMN tags TYPE varchar(40)"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.tags TYPE varchar(40)"}},
		{"same type keeps collation", []string{`ALTER TABLE users ALTER COLUMN name TYPE text COLLATE "C"`}, false, nil},
		{"same type drops collation, not indexed", []string{"ALTER TABLE users ALTER COLUMN name TYPE text"}, false, nil},
		{"same type drops collation, indexed", []string{"ALTER TABLE events ALTER COLUMN note TYPE text COLLATE \"C\""},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.events.note TYPE text COLLATE \"C\""}},

		// Enum recreation: the old type is renamed away, the new one
		// created, columns moved, the old one dropped.
		{"enum recreated without a value", []string{
			"ALTER TYPE public.mood RENAME TO mood_old",
			"CREATE TYPE public.mood AS ENUM ('sad', 'ok')",
			"ALTER TABLE public.users ALTER COLUMN mood TYPE public.mood USING mood::text::public.mood",
			"DROP TYPE public.mood_old",
		}, false, []string{
			"[HAZARD DATA_LOSS] Removes value(s) 'happy' from enum public.mood",
			"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.mood TYPE public.mood USING mood::text::public.mood",
		}},
		{"enum recreated to reorder", []string{
			"ALTER TYPE public.mood RENAME TO mood_old",
			"CREATE TYPE public.mood AS ENUM ('ok', 'sad', 'happy')",
			"DROP TYPE public.mood_old",
		}, false, []string{
			"[HAZARD DATA_LOSS] Recreates enum public.mood to reorder its values",
			"[HAZARD DATA_LOSS] Drops type public.mood_old (used by public.users.mood)",
		}},
		{"type dropped after its column moved to text", []string{
			"ALTER TABLE public.users ALTER COLUMN mood TYPE text USING mood::text",
			"DROP TYPE public.mood",
		}, false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.mood TYPE text USING mood::text"}},

		// TABLE_REWRITE, NOT_NULL_WITHOUT_DEFAULT, NON_CONCURRENT_INDEX.
		{"volatile default", []string{"ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid()"},
			false, []string{"[HAZARD TABLE_REWRITE] Adds column public.events.token with volatile default gen_random_uuid(): rewrites the table under ACCESS EXCLUSIVE lock"}},
		{"default of unknown volatility", []string{"ALTER TABLE events ADD COLUMN seen timestamptz DEFAULT now()"},
			false, []string{"[HAZARD TABLE_REWRITE] Adds column public.events.seen with volatile default now(): rewrites the table under ACCESS EXCLUSIVE lock"}},
		{"identity column", []string{"ALTER TABLE events ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY"},
			false, []string{"[HAZARD TABLE_REWRITE] Adds identity column public.events.n: rewrites the table under ACCESS EXCLUSIVE lock"}},
		{"not null without default, rows", []string{"ALTER TABLE events ADD COLUMN tier text NOT NULL"},
			false, []string{"[HAZARD NOT_NULL_WITHOUT_DEFAULT] Adds NOT NULL column public.events.tier without a default to a table with rows: add it nullable, backfill it, then SET NOT NULL"}},
		{"not null without default, empty", []string{"ALTER TABLE users ADD COLUMN tier text NOT NULL"}, false, nil},
		{"plain create index", []string{"CREATE INDEX users_email_idx ON users (email)"},
			false, []string{"[HAZARD NON_CONCURRENT_INDEX] Creates index public.users_email_idx without CONCURRENTLY: blocks writes to public.users while it builds"}},
		{"concurrent create index", []string{"CREATE INDEX CONCURRENTLY users_email_idx ON users (email)"}, false, nil},

		// Advisories: staged SET NOT NULL, renames, privileges.
		{"staged set not null", []string{
			"ALTER TABLE events ADD CONSTRAINT tenant_id_not_null CHECK (tenant_id IS NOT NULL) NOT VALID",
			"ALTER TABLE events VALIDATE CONSTRAINT tenant_id_not_null",
			"ALTER TABLE events ALTER COLUMN tenant_id SET NOT NULL",
			"ALTER TABLE events DROP CONSTRAINT tenant_id_not_null",
		}, false, []string{
			"[ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock",
			"[ADVISORY STAGED_SET_NOT_NULL] Rewrote SET NOT NULL on public.events.tenant_id (50M rows) to 4-step pattern",
		}},
		{"rename column", []string{"ALTER TABLE users RENAME COLUMN name TO full_name"},
			false, []string{"[ADVISORY RENAME] Renames column public.users.name to full_name: clients still using the old name will fail"}},
		{"rename table", []string{"ALTER TABLE users RENAME TO members"},
			false, []string{"[ADVISORY RENAME] Renames table public.users to members: clients still using the old name will fail"}},
		{"grant", []string{"GRANT SELECT ON users TO reporting"},
			false, []string{"[ADVISORY PRIVILEGE_CHANGE] Grants privileges on table(s): changes what roles may do"}},
		{"unknown live column", []string{"ALTER TABLE users ALTER COLUMN nope TYPE text"},
			false, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.nope TYPE text"}},
		{"no live context", []string{"ALTER TABLE users ALTER COLUMN email TYPE varchar(200)"},
			true, []string{"[HAZARD COLUMN_TYPE_CHANGE] ALTER COLUMN public.users.email TYPE varchar(200)"}},

		// CONSTRAINT_SCAN and VALIDATE_CONSTRAINT_SCAN.
		{"check without NOT VALID", []string{"ALTER TABLE users ADD CONSTRAINT id_positive CHECK (id > 0)"},
			false, []string{"[HAZARD CONSTRAINT_SCAN] Adding constraint may scan table"}},
		{"foreign key without NOT VALID", []string{"ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (tenant_id) REFERENCES users (id)"},
			false, []string{"[HAZARD CONSTRAINT_SCAN] Adding constraint may scan table"}},
		{"NOT VALID then VALIDATE", []string{
			"ALTER TABLE users ADD CONSTRAINT id_positive CHECK (id > 0) NOT VALID",
			"ALTER TABLE users VALIDATE CONSTRAINT id_positive",
		}, false, []string{"[ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock"}},
		{"unique is not a constraint scan", []string{"ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)"}, false, nil},
		{"check on a table not in live", []string{"ALTER TABLE elsewhere ADD CONSTRAINT c CHECK (id > 0)"}, false, nil},
		{"check without live context", []string{"ALTER TABLE elsewhere ADD CONSTRAINT c CHECK (id > 0)"},
			true, []string{"[HAZARD CONSTRAINT_SCAN] Adding constraint may scan table"}},

		{"harmless statements", []string{
			"CREATE TABLE t (id int PRIMARY KEY)",
			"CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email)",
			"ALTER TABLE users ADD COLUMN nickname text",
			"COMMENT ON TABLE users IS 'people'",
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live := liveModel()
			if tc.nil {
				live = nil
			}
			requireFindings(t, stmts(tc.sql...), live, tc.want)
		})
	}
}

func TestClassifyStatementIndex(t *testing.T) {
	got, err := Classify(stmts("CREATE TABLE x (id int)", "DROP TABLE legacy_users"), liveModel())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Statement != 1 || got[0].Kind != DataLoss {
		t.Fatalf("got %+v, want one DATA_LOSS on statement 1", got)
	}
}

func TestClassifyParseError(t *testing.T) {
	_, err := Classify([]source.Statement{{File: "migrations/x.sql", Line: 7, SQL: "ALTER TABLEX users"}}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "migrations/x.sql:7: ") {
		t.Fatalf("err = %v, want one that starts with file:line", err)
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds {
		want := k == DataLoss || k == ColumnTypeChange || k == ConstraintScan || k == MassDrop ||
			k == TableRewrite || k == NotNullWithoutDefault || k == NonConcurrentIndex
		if k.Blocking() != want {
			t.Errorf("%s.Blocking() = %v, want %v", k, k.Blocking(), want)
		}
	}
	got, err := ParseKinds(" data_loss, COLUMN_TYPE_CHANGE,,DATA_LOSS")
	if err != nil || JoinKinds(got) != "DATA_LOSS,COLUMN_TYPE_CHANGE" {
		t.Fatalf("ParseKinds = %v, %v", got, err)
	}
	if got, err := ParseKinds(""); err != nil || len(got) != 0 {
		t.Fatalf("ParseKinds(\"\") = %v, %v", got, err)
	}
	_, err = ParseKinds("DATA_LOSS,DATALOSS")
	want := `unknown hazard kind "DATALOSS" (valid kinds: DATA_LOSS,COLUMN_TYPE_CHANGE,CONSTRAINT_SCAN,MASS_DROP,TABLE_REWRITE,NOT_NULL_WITHOUT_DEFAULT,NON_CONCURRENT_INDEX,RLS_GAP,STAGED_SET_NOT_NULL,VALIDATE_CONSTRAINT_SCAN,RENAME,PRIVILEGE_CHANGE,STALE_VALUES)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestFindingString(t *testing.T) {
	cases := map[Finding]string{
		{Kind: DataLoss, Message: "Drops column public.users.legacy_phone"}:                                               "[HAZARD DATA_LOSS] Drops column public.users.legacy_phone",
		{Kind: ValidateConstraintScan, Message: "Validates constraint under ShareUpdateExclusive lock"}:                   "[ADVISORY VALIDATE_CONSTRAINT_SCAN] Validates constraint under ShareUpdateExclusive lock",
		{Kind: StagedSetNotNull, Message: "Rewrote SET NOT NULL on public.events.tenant_id (50M rows) to 4-step pattern"}: "[ADVISORY STAGED_SET_NOT_NULL] Rewrote SET NOT NULL on public.events.tenant_id (50M rows) to 4-step pattern",
		// The catalogue labels RLS_GAP a HAZARD although it only advises.
		{Kind: RLSGap, Message: "Brief window between DROP POLICY and CREATE POLICY where the table is unprotected"}: "[HAZARD RLS_GAP] Brief window between DROP POLICY and CREATE POLICY where the table is unprotected",
	}
	for f, want := range cases {
		if got := f.String(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if RLSGap.Blocking() {
		t.Error("RLS_GAP must not block")
	}
}

func TestIsolation(t *testing.T) {
	cases := []struct {
		sql  string
		want plan.Isolation
	}{
		{"CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", plan.NoTransaction},
		{"CREATE INDEX i ON t (a)", plan.InTransaction},
		{"DROP INDEX CONCURRENTLY IF EXISTS i", plan.NoTransaction},
		{"DROP INDEX i", plan.InTransaction},
		{"REINDEX INDEX CONCURRENTLY i", plan.NoTransaction},
		{"REINDEX INDEX i", plan.InTransaction},
		{"VACUUM ANALYZE t", plan.NoTransaction},
		{"ANALYZE t", plan.InTransaction},
		{"CREATE DATABASE d", plan.NoTransaction},
		{"ALTER SYSTEM SET work_mem = '64MB'", plan.NoTransaction},
		{"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'", plan.OwnTransaction},
		{"ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'", plan.InTransaction},
		{"ALTER TABLE t VALIDATE CONSTRAINT c", plan.OwnTransaction},
		{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", plan.InTransaction},
		{"CREATE TABLE t (a int)", plan.InTransaction},
		{"this is not SQL", plan.InTransaction},
	}
	for _, tc := range cases {
		if got := Isolation(source.Statement{SQL: tc.sql}); got != tc.want {
			t.Errorf("Isolation(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}

func TestCountDrops(t *testing.T) {
	live := liveModel()
	live.Views[model.QName{Schema: "public", Name: "active_users"}] = &model.View{Name: model.QName{Schema: "public", Name: "active_users"}}
	seq := model.QName{Schema: "public", Name: "legacy_users_id_seq"}
	live.Sequences[seq] = &model.Sequence{Name: seq, OwnedBy: &model.ColumnRef{Table: model.QName{Schema: "public", Name: "legacy_users"}, Column: "id"}}
	n, err := CountDrops(stmts(
		"DROP VIEW public.active_users",
		"DROP TABLE public.legacy_users",
		"CREATE VIEW public.active_users AS SELECT 1 AS one",
	), live)
	if err != nil {
		t.Fatal(err)
	}
	// 4 tables, 1 view, 1 sequence live; the view is replaced, the table
	// goes with its serial's sequence.
	if n.Live != 6 || n.Dropped != 2 || n.Percent() != 33 || !n.Exceeds(25) || n.Exceeds(50) {
		t.Errorf("count = %+v (%d%%)", n, n.Percent())
	}
	if got, want := n.Message("plan", 25), "refusing to plan: 2 of 6 live objects (33%) would be dropped, exceeding the 25% mass-drop threshold"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if (MassDropCount{Live: 0, Dropped: 0}).Exceeds(0) {
		t.Error("an empty live database tripped the guard")
	}
	if !(MassDropCount{Live: 3, Dropped: 3}).Exceeds(100) {
		t.Error("wiping a database did not trip the guard at 100%")
	}
}

func TestFormatRows(t *testing.T) {
	for n, want := range map[float64]string{950: "950", 12345: "12k", 1500: "1.5k", 50e6: "50M", 1.2e9: "1.2B", 0: "0"} {
		if got := FormatRows(n); got != want {
			t.Errorf("FormatRows(%v) = %q, want %q", n, got, want)
		}
	}
}

// TestMassDropWording: the refusal and lint's finding say the same, and
// only a refusal a higher threshold would lift suggests one.
func TestMassDropWording(t *testing.T) {
	over := MassDropCount{Dropped: 5, Live: 8}
	if got, want := over.Message("plan", 25), "refusing to plan: 5 of 8 live objects (62%) would be dropped, exceeding the 25% mass-drop threshold"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	if got, want := over.AllowHint(), "--allow-mass-drop (or raise --mass-drop-threshold)"; got != want {
		t.Errorf("AllowHint = %q, want %q", got, want)
	}
	wipe := MassDropCount{Dropped: 2, Live: 2}
	if got, want := wipe.Describe(100), "2 of 2 live objects (100%) would be dropped, emptying the database"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got := wipe.AllowHint(); got != "--allow-mass-drop" {
		t.Errorf("AllowHint of a wipe = %q, want only --allow-mass-drop", got)
	}
}

// requireFindings classifies the statements against live and requires
// exactly the findings want, as printed, in order.
func requireFindings(t *testing.T, list []source.Statement, live *model.Model, want []string) {
	t.Helper()
	got, err := Classify(list, live)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, f.String())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n got: %q\nwant: %q", lines, want)
	}
}
