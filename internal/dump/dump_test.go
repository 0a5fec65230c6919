package dump

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

func TestFileSafe(t *testing.T) {
	for in, want := range map[string]string{
		"public.users":         "public.users",
		`Sales Dept.Order/"x"`: "Sales%20Dept.Order%2F%22x%22",
		"app.naïve_日本":         "app.naïve_日本",
		".hidden":              "%2Ehidden",
		`a\b:c*d?e<f>g|h%`:     "a%5Cb%3Ac%2Ad%3Fe%3Cf%3Eg%7Ch%25",
		"tab\there\nnewline":   "tab%09here%0Anewline",
		"f(integer, text)":     "f%28integer,%20text%29",
	} {
		if got := fileSafe(in); got != want {
			t.Errorf("fileSafe(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 31) + "." + strings.Repeat("/", 63)
	if got := fileName(long); len(got) > maxNameBytes || !strings.Contains(got, "~") {
		t.Errorf("fileName of a long name: %d bytes: %q", len(got), got)
	}
	if fileName(long) == fileName(long+"x") {
		t.Error("long names that differ must not share a file")
	}
}

func TestFilesCaseCollision(t *testing.T) {
	objs := []Object{
		{ID: model.ID(model.KindTable, model.QName{Schema: "public", Name: "users"}), Dir: "tables", SQL: []string{"a;"}},
		{ID: model.ID(model.KindTable, model.QName{Schema: "public", Name: "Users"}), Dir: "tables", SQL: []string{"b;"}},
		{ID: model.ObjectID{Kind: model.KindSchema, Name: "app"}, Dir: "_global", SQL: []string{"c;"}},
		{ID: model.ObjectID{Kind: model.KindSchema, Name: "public"}, Dir: "_global", SQL: []string{"d;"}},
	}
	var paths []string
	for _, f := range Files(objs, PerKind) {
		paths = append(paths, f.Path)
	}
	want := "_global/1_schemas.sql tables/public.Users~2.sql tables/public.users.sql"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("paths: %s, want %s", got, want)
	}
}

// TestGroup: the parts of a table — its columns' comments, its indexes,
// constraints and owned sequence — land in the table's object; a view's
// column comment in the view's.
func TestGroup(t *testing.T) {
	m := model.New()
	users := model.QName{Schema: "public", Name: "users"}
	seq := model.QName{Schema: "public", Name: "users_id_seq"}
	m.Schemas["public"] = &model.Schema{Name: "public"}
	m.Sequences[seq] = &model.Sequence{Name: seq, Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 1 << 62, Cache: 1,
		OwnedBy: &model.ColumnRef{Table: users, Column: "id"}}
	m.Tables[users] = &model.Table{Name: users, Comment: "people",
		Columns: []*model.Column{
			{Name: "id", Type: "bigint", NotNull: true, Default: "nextval('public.users_id_seq'::regclass)"},
			{Name: "email", Type: "text", Comment: "login"},
		},
		Constraints: map[string]*model.Constraint{
			"users_pkey":  {Name: "users_pkey", Type: model.PrimaryKey, Definition: "PRIMARY KEY (id)", Validated: true},
			"users_email": {Name: "users_email", Type: model.Check, Definition: "CHECK ((email <> ''::text)) NOT VALID"},
		},
	}
	ix := model.QName{Schema: "public", Name: "users_email_idx"}
	m.Indexes[ix] = &model.Index{Name: ix, Table: users, Definition: "CREATE INDEX users_email_idx ON public.users USING btree (email)"}
	v := model.QName{Schema: "public", Name: "emails"}
	m.Views[v] = &model.View{Name: v, Definition: " SELECT users.email\n   FROM public.users;", Columns: []model.ViewColumn{{Name: "email", Type: "text", Comment: "address"}}}

	objs, err := Objects(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range objs {
		got[o.ID.String()] = strings.Join(o.SQL, "\n")
	}
	if len(objs) != 3 {
		t.Fatalf("objects: %v", got)
	}
	table := got["table public.users"]
	for _, s := range []string{"CREATE SEQUENCE public.users_id_seq", "CREATE TABLE public.users", "CREATE INDEX users_email_idx", "COMMENT ON COLUMN public.users.email", "OWNED BY public.users.id", "NOT VALID"} {
		if !strings.Contains(table, s) {
			t.Errorf("table object lacks %q:\n%s", s, table)
		}
	}
	if strings.Contains(table, "VALIDATE") {
		t.Errorf("a NOT VALID constraint is written as defined:\n%s", table)
	}
	if view := got["view public.emails"]; !strings.Contains(view, "COMMENT ON COLUMN public.emails.email") {
		t.Errorf("view object:\n%s", view)
	}

	// Step.Owner overrides the object a step is filed under.
	steps := []plan.Step{{SQL: "GRANT SELECT ON public.emails TO app;", Object: model.ObjectID{Kind: "grant", Schema: "public", Name: "x"}, Owner: model.ID(model.KindView, v)}}
	if g := Group(m, steps); len(g) != 1 || g[0].ID != model.ID(model.KindView, v) || g[0].Dir != "views" {
		t.Errorf("owner: %+v", g)
	}
	// A flat layout keeps plan order.
	flat := Files(objs, Flat)
	if len(flat) != 1 || !strings.HasPrefix(string(Render(flat[0])), "-- schema public\n") {
		t.Errorf("flat:\n%s", Render(flat[0]))
	}
}

func TestKindDir(t *testing.T) {
	for kind, want := range map[model.Kind]string{
		model.KindTable: "tables", "partitioned table": "tables", "foreign table": "tables",
		model.KindView: "views", "materialized view": "views",
		model.KindEnum: "types", "domain": "types", "collation": "types", "text search configuration": "types",
		"function": "functions", "procedure": "functions", "aggregate": "functions",
		model.KindSequence: "sequences",
		model.KindSchema:   "_global", "extension": "_global", "event trigger": "_global", "default privileges": "_global", "publication": "_global",
	} {
		if got := KindDir(kind); got != want {
			t.Errorf("KindDir(%q) = %q, want %q", kind, got, want)
		}
	}
}

// TestGroupOtherKinds: parts of kinds the grouping does not know by name
// go with their relation or type, functions keep their own files even when
// a table shares their name.
func TestGroupOtherKinds(t *testing.T) {
	m := model.New()
	tq := model.QName{Schema: "app", Name: "items"}
	m.Tables[tq] = &model.Table{Name: tq, Constraints: map[string]*model.Constraint{}}
	mv := model.QName{Schema: "app", Name: "totals"}
	dom := model.QName{Schema: "app", Name: "posint"}
	steps := []plan.Step{
		{SQL: "CREATE TABLE app.items ();", Object: model.ID(model.KindTable, tq)},
		{SQL: "CREATE FUNCTION app.items(integer) …;", Object: model.ObjectID{Kind: "function", Schema: "app", Name: "items", Sub: "integer"}},
		{SQL: "CREATE TRIGGER t …;", Object: model.ObjectID{Kind: "trigger", Schema: "app", Name: "items", Sub: "t"}},
		{SQL: "CREATE POLICY p …;", Object: model.ObjectID{Kind: "policy", Schema: "app", Name: "items", Sub: "p"}},
		{SQL: "CREATE MATERIALIZED VIEW app.totals …;", Object: model.ID("materialized view", mv)},
		{SQL: "CREATE INDEX totals_idx …;", Object: model.ID(model.KindIndex, model.QName{Schema: "app", Name: "totals_idx"})},
		{SQL: "COMMENT ON COLUMN app.totals.n IS 'x';", Object: model.ObjectID{Kind: model.KindColumn, Schema: "app", Name: "totals", Sub: "n"}},
		{SQL: "CREATE DOMAIN app.posint …;", Object: model.ID("domain", dom)},
		{SQL: "COMMENT ON CONSTRAINT c ON DOMAIN app.posint IS 'y';", Object: model.ObjectID{Kind: model.KindConstraint, Schema: "app", Name: "posint", Sub: "c"}},
		{SQL: "ALTER DEFAULT PRIVILEGES …;", Object: model.ObjectID{Kind: "default privileges", Schema: "app", Name: "owner", Sub: "TABLES"}},
		{SQL: "CREATE EVENT TRIGGER e …;", Object: model.ObjectID{Kind: "event trigger", Name: "e"}},
	}
	m.Indexes[model.QName{Schema: "app", Name: "totals_idx"}] = &model.Index{Name: model.QName{Schema: "app", Name: "totals_idx"}, Table: mv, Definition: "CREATE INDEX totals_idx ON app.totals USING btree (n)"}
	var got []string
	for _, f := range Files(Group(m, steps), PerKind) {
		got = append(got, fmt.Sprintf("%s:%d", f.Path, strings.Count(string(Render(f)), ";\n")))
	}
	want := "_global/default_privileges.sql:1 _global/event_triggers.sql:1 functions/app.items.sql:1 tables/app.items.sql:3 types/app.posint.sql:2 views/app.totals.sql:3"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("files:\n%s\nwant:\n%s", g, want)
	}
}

func TestDescribe(t *testing.T) {
	for _, c := range []struct {
		id   model.ObjectID
		want string
	}{
		{model.ObjectID{Kind: model.KindFunction, Schema: "public", Name: "near"}, "function public.near"},
		{model.ObjectID{Kind: model.KindOperator, Schema: "public", Name: "~~~"}, "operator public.~~~"},
		{model.ObjectID{Kind: model.KindCast, Name: "text AS public.color"}, "cast (text AS public.color)"},
		{model.ObjectID{Kind: model.KindTable, Schema: "Sales Dept", Name: "t"}, `table "Sales Dept".t`},
	} {
		if got := describe(c.id); got != c.want {
			t.Errorf("describe(%v) = %q, want %q", c.id, got, c.want)
		}
	}
}
