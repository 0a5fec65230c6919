package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

const routines = `
CREATE TABLE t (id int PRIMARY KEY, n int, updated timestamptz);
CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b';
CREATE FUNCTION add(a text, b text) RETURNS text LANGUAGE sql AS 'SELECT a || b';
CREATE FUNCTION atomic_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;
CREATE PROCEDURE bump(n int) LANGUAGE plpgsql AS $$ BEGIN UPDATE t SET n = t.n + bump.n; END $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
CREATE FUNCTION sum_sfunc(state int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT state + v';
CREATE AGGREGATE my_sum(int) (SFUNC = sum_sfunc, STYPE = int, INITCOND = '0');
CREATE AGGREGATE my_count(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
CREATE AGGREGATE my_pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE TRIGGER t_touch BEFORE UPDATE OF n ON t FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n) EXECUTE FUNCTION touch();
ALTER TABLE t DISABLE TRIGGER t_touch;
COMMENT ON TRIGGER t_touch ON t IS 'keeps updated';
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER et_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION on_ddl();
`

func TestInspectReadsRoutines(t *testing.T) {
	m := inspect(t, routines, "public")
	for _, f := range m.SortedFunctions() {
		t.Logf("%s kind=%s result=%q args=%q\n%s", f.Key(), f.Kind, f.Result, f.Arguments, f.Definition)
	}
	for _, tr := range m.SortedTriggers() {
		t.Logf("%s %s %s", tr.Key(), tr.Enabled, tr.Definition)
	}
	for _, e := range m.SortedEventTriggers() {
		t.Logf("%+v", *e)
	}
	for id, deps := range m.Deps {
		if id.Kind == model.KindFunction || id.Kind == model.KindTrigger {
			t.Logf("dep %v -> %v", id, deps)
		}
	}
	if len(m.Functions) != 10 {
		t.Errorf("functions: %d, want 10", len(m.Functions))
	}
	tr := m.Triggers[model.TriggerKey(model.QName{Schema: "public", Name: "t"}, "t_touch")]
	if tr == nil || tr.Enabled != "D" || !strings.Contains(tr.Definition, "WHEN") || tr.Comment != "keeps updated" {
		t.Errorf("trigger: %+v", tr)
	}
	if e := m.EventTriggers["et_ddl"]; e == nil || len(e.Tags) != 2 {
		t.Errorf("event trigger: %+v", e)
	}
}

// TestOwnerTargets: every owner's Target is how ALTER … OWNER TO spells
// the object, aggregates without arguments (name(*)) included.
func TestOwnerTargets(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, routines)
	conn := db.Connect(t)
	m, err := catalog.Inspect(context.Background(), conn, catalog.Options{Schemas: []string{"public"}, Owners: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Owners) == 0 {
		t.Fatal("no owners read")
	}
	for _, id := range m.SortedOwners() {
		o := m.Owners[id]
		if _, err := conn.Exec(context.Background(), "ALTER "+o.Target+" OWNER TO "+model.QuoteIdent(o.Role)); err != nil {
			t.Errorf("%v: ALTER %s OWNER TO %s: %v", id, o.Target, o.Role, err)
		}
	}
}

// TestTypeInfoOnlyWhenAsked: what code generation needs is read when asked
// for, with the same structure either way.
func TestTypeInfoOnlyWhenAsked(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, routines)
	conn := db.Connect(t)
	ctx := context.Background()
	plain, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	if plain.TypeInfo != nil {
		t.Errorf("TypeInfo read without being asked for: %d columns", len(plain.TypeInfo.Columns))
	}
	withTypes, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}, TypeInfo: true})
	if err != nil {
		t.Fatal(err)
	}
	ti := withTypes.TypeInfo
	if ti == nil {
		t.Fatal("no TypeInfo when asked for")
	}
	col := model.ColumnRef{Table: model.QName{Schema: "public", Name: "t"}, Column: "updated"}
	if got := ti.Columns[col]; got.Name != "timestamptz" {
		t.Errorf("type of t.updated: %+v", got)
	}
	if len(ti.Routines) == 0 {
		t.Error("no routine signatures")
	}
	if plain.Hash() != withTypes.Hash() {
		t.Error("the models differ beyond TypeInfo")
	}
}
