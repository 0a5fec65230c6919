package plan_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Models built by hand, as the catalog would read them.

func pub(name string) model.QName { return model.QName{Schema: "public", Name: name} }

func newModel(objects ...any) *model.Model {
	m := model.New()
	m.Schemas["public"] = &model.Schema{Name: "public"}
	for _, o := range objects {
		switch o := o.(type) {
		case *model.Schema:
			m.Schemas[o.Name] = o
		case *model.Table:
			m.Tables[o.Name] = o
		case *model.Index:
			m.Indexes[o.Name] = o
		case *model.Sequence:
			m.Sequences[o.Name] = o
		case *model.View:
			m.Views[o.Name] = o
		case *model.Enum:
			m.Enums[o.Name] = o
		case dep:
			m.Deps[o.from] = append(m.Deps[o.from], o.to)
		default:
			panic("newModel: unexpected object")
		}
	}
	return m
}

type dep struct{ from, to model.ObjectID }

func table(name model.QName, cols []*model.Column, cons ...*model.Constraint) *model.Table {
	t := &model.Table{Name: name, Columns: cols, Constraints: map[string]*model.Constraint{}}
	for _, c := range cons {
		t.Constraints[c.Name] = c
	}
	return t
}

func cols(cs ...*model.Column) []*model.Column { return cs }

func col(name, typ string, opts ...func(*model.Column)) *model.Column {
	c := &model.Column{Name: name, Type: typ}
	for _, o := range opts {
		o(c)
	}
	return c
}

func notNull(c *model.Column)                    { c.NotNull = true }
func def(d string) func(*model.Column)           { return func(c *model.Column) { c.Default = d } }
func generated(e string) func(*model.Column)     { return func(c *model.Column) { c.Generated = e } }
func collate(coll string) func(*model.Column)    { return func(c *model.Column) { c.Collation = coll } }
func colComment(text string) func(*model.Column) { return func(c *model.Column) { c.Comment = text } }
func identity(kind string, seq *model.Sequence) func(*model.Column) {
	return func(c *model.Column) { c.Identity, c.IdentitySequence, c.NotNull = kind, seq, true }
}

func seq(name model.QName, typ string, start, inc, min, max, cache int64) *model.Sequence {
	return &model.Sequence{Name: name, Type: typ, Start: start, Increment: inc, Min: min, Max: max, Cache: cache}
}

func intSeq(name model.QName) *model.Sequence { return seq(name, "integer", 1, 1, 1, 2147483647, 1) }

func pk(name, def string) *model.Constraint {
	return &model.Constraint{Name: name, Type: model.PrimaryKey, Definition: def, Validated: true}
}

func check(name, def string, validated bool) *model.Constraint {
	if !validated {
		def += " NOT VALID"
	}
	return &model.Constraint{Name: name, Type: model.Check, Definition: def, Validated: validated}
}

func fk(name, def string, ref model.QName) *model.Constraint {
	return &model.Constraint{Name: name, Type: model.ForeignKey, Definition: def, Validated: true, References: &ref}
}

func view(name model.QName, def string, cs ...model.ViewColumn) *model.View {
	return &model.View{Name: name, Definition: def, Columns: cs}
}

func vcol(name, typ string) model.ViewColumn { return model.ViewColumn{Name: name, Type: typ} }

func viewDep(v model.QName, to model.ObjectID) dep {
	return dep{from: model.ID(model.KindView, v), to: to}
}

func colRef(t model.QName, c string) model.ObjectID {
	return model.ObjectID{Kind: model.KindColumn, Schema: t.Schema, Name: t.Name, Sub: c}
}

type buildCase struct {
	name          string
	live, desired *model.Model
	want          []string
}

func runBuildCases(t *testing.T, cases []buildCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := plan.Build(c.live, c.desired, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.Steps {
				if !strings.HasSuffix(s.SQL, ";") {
					t.Errorf("step does not end in ';': %s", s.SQL)
				}
				if s.Summary == "" || s.Object.Kind == "" {
					t.Errorf("step without summary or object: %+v", s)
				}
				got = append(got, s.SQL)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

var (
	users  = pub("users")
	orders = pub("orders")
)

func TestBuildTables(t *testing.T) {
	runBuildCases(t, []buildCase{
		{
			name: "create tables, foreign key after both",
			live: newModel(),
			desired: newModel(
				table(orders, cols(col("id", "integer", notNull), col("user_id", "bigint")),
					pk("orders_pkey", "PRIMARY KEY (id)"),
					fk("orders_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES public.users(id)", users)),
				table(users, cols(
					col("id", "bigint", identity(model.IdentityAlways, seq(pub("users_id_seq"), "bigint", 100, 1, 1, 9223372036854775807, 1))),
					col("email", "text", notNull, collate(`pg_catalog."C"`), colComment("login")),
					col("created", "timestamp with time zone", def("now()")),
					col("upper_email", "text", generated("upper(email)")),
				), pk("users_pkey", "PRIMARY KEY (id)"), check("has_at", "CHECK ((POSITION(('@'::text) IN (email)) > 0))", false)),
			),
			want: []string{
				"CREATE TABLE public.orders (\n    id integer NOT NULL,\n    user_id bigint,\n    CONSTRAINT orders_pkey PRIMARY KEY (id)\n);",
				"CREATE TABLE public.users (\n    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) NOT NULL,\n" +
					"    email text COLLATE pg_catalog.\"C\" NOT NULL,\n    created timestamp with time zone DEFAULT now(),\n" +
					"    upper_email text GENERATED ALWAYS AS (upper(email)) STORED,\n    CONSTRAINT users_pkey PRIMARY KEY (id)\n);",
				"ALTER TABLE public.users ADD CONSTRAINT has_at CHECK ((POSITION(('@'::text) IN (email)) > 0)) NOT VALID;",
				"ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);",
				"COMMENT ON COLUMN public.users.email IS 'login';",
			},
		},
		{
			name: "drop tables: foreign keys between them first, serial sequence goes with its table",
			live: newModel(
				table(orders, cols(col("id", "integer", def("nextval('public.orders_id_seq'::regclass)")), col("user_id", "bigint")),
					fk("orders_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES public.users(id)", users)),
				table(users, cols(col("id", "bigint", notNull)), pk("users_pkey", "PRIMARY KEY (id)")),
				&model.Sequence{Name: pub("orders_id_seq"), Type: "integer", Start: 1, Increment: 1, Min: 1, Max: 2147483647, Cache: 1,
					OwnedBy: &model.ColumnRef{Table: orders, Column: "id"}},
			),
			desired: newModel(),
			want: []string{
				"ALTER TABLE public.orders DROP CONSTRAINT orders_user_id_fkey;",
				"DROP TABLE public.orders;",
				"DROP TABLE public.users;",
			},
		},
		{
			name: "columns added, dropped and altered",
			live: newModel(table(users, cols(
				col("id", "integer"),
				col("name", "character varying(50)", def("'x'::character varying")),
				col("legacy", "text"),
				col("email", "text", notNull),
				col("code", "text"),
			))),
			desired: newModel(table(users, cols(
				col("id", "bigint", notNull),
				col("name", "character varying(100)", def("'y'::character varying")),
				col("email", "text", def("''::text")),
				col("code", "text", collate(`pg_catalog."C"`)),
				col("added", "integer", def("0"), notNull),
			))),
			want: []string{
				"ALTER TABLE public.users ALTER COLUMN name DROP DEFAULT;",
				"ALTER TABLE public.users DROP COLUMN legacy;",
				"ALTER TABLE public.users ALTER COLUMN id TYPE bigint USING id::bigint;",
				"ALTER TABLE public.users ALTER COLUMN id SET NOT NULL;",
				"ALTER TABLE public.users ALTER COLUMN name TYPE character varying(100) USING name::character varying(100);",
				"ALTER TABLE public.users ALTER COLUMN name SET DEFAULT 'y'::character varying;",
				"ALTER TABLE public.users ALTER COLUMN email SET DEFAULT ''::text;",
				"ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;",
				`ALTER TABLE public.users ALTER COLUMN code TYPE text COLLATE pg_catalog."C" USING code::text;`,
				"ALTER TABLE public.users ADD COLUMN added integer DEFAULT 0 NOT NULL;",
			},
		},
		{
			name: "identity and generated columns",
			live: newModel(table(users, cols(
				col("a", "integer", def("1"), notNull),
				col("b", "integer", identity(model.IdentityAlways, intSeq(pub("users_b_seq")))),
				col("c", "integer", identity(model.IdentityAlways, intSeq(pub("users_c_seq")))),
				col("d", "integer", generated("(a * 2)")),
				col("e", "integer", generated("(a * 2)")),
			))),
			desired: newModel(table(users, cols(
				col("a", "integer", identity(model.IdentityByDefault, seq(pub("users_a_seq"), "integer", 10, 2, 1, 2147483647, 1))),
				col("b", "integer", notNull),
				col("c", "integer", identity(model.IdentityByDefault, seq(pub("users_c_seq"), "integer", 1, 1, 1, 1000, 5))),
				col("d", "integer", generated("(a * 3)")),
				col("e", "integer"),
			))),
			want: []string{
				"ALTER TABLE public.users ALTER COLUMN a DROP DEFAULT;",
				"ALTER TABLE public.users ALTER COLUMN b DROP IDENTITY;",
				"ALTER TABLE public.users ALTER COLUMN e DROP EXPRESSION;",
				"ALTER TABLE public.users DROP COLUMN d;",
				"ALTER TABLE public.users ALTER COLUMN a ADD GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 2 START WITH 10);",
				"ALTER TABLE public.users ALTER COLUMN c SET GENERATED BY DEFAULT;",
				"ALTER TABLE public.users ALTER COLUMN c SET MAXVALUE 1000 SET CACHE 5;",
				"ALTER TABLE public.users ADD COLUMN d integer GENERATED ALWAYS AS ((a * 3)) STORED;",
			},
		},
	})
}

func TestBuildEnums(t *testing.T) {
	mood := pub("mood")
	enum := func(labels ...string) *model.Enum { return &model.Enum{Name: mood, Labels: labels} }
	runBuildCases(t, []buildCase{
		{
			name:    "create and drop",
			live:    newModel(&model.Enum{Name: pub("old"), Labels: []string{"x"}}),
			desired: newModel(enum("sad", "it's")),
			want: []string{
				"CREATE TYPE public.mood AS ENUM ('sad', 'it''s');",
				"DROP TYPE public.old;",
			},
		},
		{
			name:    "values added in place",
			live:    newModel(enum("b", "d")),
			desired: newModel(enum("a", "b", "c", "d", "e", "f")),
			want: []string{
				"ALTER TYPE public.mood ADD VALUE 'a' BEFORE 'b';",
				"ALTER TYPE public.mood ADD VALUE 'c' AFTER 'b';",
				"ALTER TYPE public.mood ADD VALUE 'e' AFTER 'd';",
				"ALTER TYPE public.mood ADD VALUE 'f' AFTER 'e';",
			},
		},
		{
			name: "value removed: recreated, columns converted, dependent view rebuilt",
			live: newModel(enum("a", "b", "c"),
				table(users, cols(col("m", "public.mood", def("'a'::public.mood")), col("ms", "public.mood[]"))),
				view(pub("v"), " SELECT users.m\n   FROM public.users;", vcol("m", "public.mood")),
				viewDep(pub("v"), colRef(users, "m"))),
			desired: newModel(enum("b", "a"),
				table(users, cols(col("m", "public.mood", def("'a'::public.mood")), col("ms", "public.mood[]"))),
				view(pub("v"), " SELECT users.m\n   FROM public.users;", vcol("m", "public.mood"))),
			want: []string{
				"DROP VIEW public.v;",
				"ALTER TABLE public.users ALTER COLUMN m DROP DEFAULT;",
				"ALTER TYPE public.mood RENAME TO mood_old;",
				"CREATE TYPE public.mood AS ENUM ('b', 'a');",
				"ALTER TABLE public.users ALTER COLUMN m TYPE public.mood USING m::text::public.mood;",
				"ALTER TABLE public.users ALTER COLUMN m SET DEFAULT 'a'::public.mood;",
				"ALTER TABLE public.users ALTER COLUMN ms TYPE public.mood[] USING ms::text[]::public.mood[];",
				"DROP TYPE public.mood_old;",
				"CREATE VIEW public.v AS\nSELECT users.m\n   FROM public.users;",
			},
		},
	})
}

func TestBuildEnumValueIsolation(t *testing.T) {
	live := newModel(&model.Enum{Name: pub("e"), Labels: []string{"a"}})
	desired := newModel(&model.Enum{Name: pub("e"), Labels: []string{"a", "b"}})
	p, err := plan.Build(live, desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Isolation != plan.OwnTransaction {
		t.Fatalf("ADD VALUE must run in its own transaction: %+v", p.Steps)
	}
}

func TestBuildSequences(t *testing.T) {
	s := pub("s")
	owned := intSeq(pub("t_id_seq"))
	owned.OwnedBy = &model.ColumnRef{Table: pub("t"), Column: "id"}
	runBuildCases(t, []buildCase{
		{
			name: "serial: sequence before table, ownership after",
			live: newModel(),
			desired: newModel(owned,
				table(pub("t"), cols(col("id", "integer", notNull, def("nextval('public.t_id_seq'::regclass)"))))),
			want: []string{
				"CREATE SEQUENCE public.t_id_seq AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE;",
				"CREATE TABLE public.t (\n    id integer DEFAULT nextval('public.t_id_seq'::regclass) NOT NULL\n);",
				"ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;",
			},
		},
		{
			name:    "options changed",
			live:    newModel(intSeq(s)),
			desired: newModel(&model.Sequence{Name: s, Type: "bigint", Start: 5, Increment: 5, Min: 1, Max: 9223372036854775807, Cache: 10, Cycle: true}),
			want: []string{
				"ALTER SEQUENCE public.s AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 5 CACHE 10 CYCLE;",
			},
		},
		{
			name:    "kept sequence whose owning column is dropped is disowned first",
			live:    newModel(owned, table(pub("t"), cols(col("id", "integer"), col("x", "integer")))),
			desired: newModel(intSeq(pub("t_id_seq")), table(pub("t"), cols(col("x", "integer")))),
			want: []string{
				"ALTER SEQUENCE public.t_id_seq OWNED BY NONE;",
				"ALTER TABLE public.t DROP COLUMN id;",
			},
		},
		{
			name:    "dropped after the default that uses it changes",
			live:    newModel(intSeq(s), table(pub("t"), cols(col("id", "integer", def("nextval('public.s'::regclass)"))))),
			desired: newModel(table(pub("t"), cols(col("id", "integer")))),
			want: []string{
				"ALTER TABLE public.t ALTER COLUMN id DROP DEFAULT;",
				"DROP SEQUENCE public.s;",
			},
		},
	})
}

func TestBuildConstraintsAndIndexes(t *testing.T) {
	tbl := func(cons ...*model.Constraint) *model.Table {
		return table(users, cols(col("id", "integer", notNull), col("n", "integer")), cons...)
	}
	ix := func(name, def string) *model.Index {
		return &model.Index{Name: pub(name), Table: users, Definition: def}
	}
	runBuildCases(t, []buildCase{
		{
			name:    "added, changed and dropped",
			live:    newModel(tbl(check("pos", "CHECK ((n > 0))", true), check("gone", "CHECK ((n < 10))", true))),
			desired: newModel(tbl(check("pos", "CHECK ((n >= 0))", true), pk("users_pkey", "PRIMARY KEY (id)"))),
			want: []string{
				"ALTER TABLE public.users DROP CONSTRAINT gone;",
				"ALTER TABLE public.users DROP CONSTRAINT pos;",
				"ALTER TABLE public.users ADD CONSTRAINT pos CHECK ((n >= 0));",
				"ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);",
			},
		},
		{
			name:    "NOT VALID in live, valid in desired: validated",
			live:    newModel(tbl(check("pos", "CHECK ((n > 0))", false))),
			desired: newModel(tbl(check("pos", "CHECK ((n > 0))", true))),
			want:    []string{"ALTER TABLE public.users VALIDATE CONSTRAINT pos;"},
		},
		{
			name:    "NOT VALID in desired, valid in live: nothing to do",
			live:    newModel(tbl(check("pos", "CHECK ((n > 0))", true))),
			desired: newModel(tbl(check("pos", "CHECK ((n > 0))", false))),
			want:    nil,
		},
		{
			name: "foreign key onto a replaced primary key is dropped first and added after",
			live: newModel(tbl(pk("users_pkey", "PRIMARY KEY (id)")),
				table(orders, cols(col("user_id", "integer")), fk("orders_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES public.users(id)", users)),
				dep{constraintRef(orders, "orders_user_id_fkey"), model.ID(model.KindIndex, pub("users_pkey"))}),
			desired: newModel(tbl(pk("users_pkey", "PRIMARY KEY (id) DEFERRABLE")),
				table(orders, cols(col("user_id", "integer")), fk("orders_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES public.users(id)", users))),
			want: []string{
				"ALTER TABLE public.orders DROP CONSTRAINT orders_user_id_fkey;",
				"ALTER TABLE public.users DROP CONSTRAINT users_pkey;",
				"ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id) DEFERRABLE;",
				"ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);",
			},
		},
		{
			name: "indexes created, changed and dropped",
			live: newModel(tbl(),
				ix("a", "CREATE INDEX a ON public.users USING btree (n)"),
				ix("b", "CREATE INDEX b ON public.users USING btree (id)")),
			desired: newModel(tbl(),
				ix("a", "CREATE INDEX a ON public.users USING btree (n) WHERE (n > 0)"),
				ix("c", "CREATE UNIQUE INDEX c ON public.users USING btree (id)")),
			want: []string{
				"DROP INDEX public.a;",
				"DROP INDEX public.b;",
				"CREATE INDEX a ON public.users USING btree (n) WHERE (n > 0);",
				"CREATE UNIQUE INDEX c ON public.users USING btree (id);",
			},
		},
	})
}

// TestBuildInvalidIndex: an index live holds INVALID is rebuilt
// concurrently, outside a transaction; one of a partitioned table is not
// (its partition indexes make it valid).
func TestBuildInvalidIndex(t *testing.T) {
	ix := func(def string, invalid bool) *model.Index {
		return &model.Index{Name: pub("u_n"), Table: users, Definition: def, Unique: true, Invalid: invalid}
	}
	tbl := table(users, cols(col("n", "integer")))
	const def = "CREATE UNIQUE INDEX u_n ON public.users USING btree (n)"
	p, err := plan.Build(newModel(tbl, ix(def, true)), newModel(tbl, ix(def, false)), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].SQL != "REINDEX INDEX CONCURRENTLY public.u_n;" ||
		p.Steps[0].Summary != "rebuild invalid index public.u_n" || p.Steps[0].Isolation != plan.NoTransaction {
		t.Fatalf("plan: %+v", p.Steps)
	}
	// Rewrite leaves it as it is.
	if r := plan.Rewrite(p, newModel(tbl, ix(def, true)), newModel(tbl, ix(def, false)), plan.DefaultOptions()); len(r.Steps) != 1 || r.Steps[0] != p.Steps[0] {
		t.Errorf("rewritten: %+v", r.Steps)
	}
	// A changed definition is a new index anyway.
	p, err = plan.Build(newModel(tbl, ix(def, true)), newModel(tbl, ix(def+" WHERE (n > 0)", false)), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		if strings.HasPrefix(s.SQL, "REINDEX") {
			t.Errorf("REINDEX of an index created again: %+v", p.Steps)
		}
	}
	const only = "CREATE UNIQUE INDEX u_n ON ONLY public.users USING btree (n)"
	if p, err := plan.Build(newModel(tbl, ix(only, true)), newModel(tbl, ix(only, false)), plan.Options{}); err != nil || len(p.Steps) != 0 {
		t.Errorf("index of a partitioned table: %+v (%v)", p, err)
	}
}

func constraintRef(t model.QName, name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindConstraint, Schema: t.Schema, Name: t.Name, Sub: name}
}

func TestBuildValidateIsolation(t *testing.T) {
	tbl := func(validated bool) *model.Table {
		return table(users, cols(col("n", "integer")), check("pos", "CHECK ((n > 0))", validated))
	}
	p, err := plan.Build(newModel(tbl(false)), newModel(tbl(true)), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Isolation != plan.OwnTransaction {
		t.Fatalf("VALIDATE must run in its own transaction: %+v", p.Steps)
	}
}

func TestBuildViews(t *testing.T) {
	base := func(cs ...*model.Column) *model.Table { return table(users, cs) }
	v1, v2, v3 := pub("v1"), pub("v2"), pub("v3")
	runBuildCases(t, []buildCase{
		{
			name: "new column at the end: CREATE OR REPLACE",
			live: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, " SELECT users.a\n   FROM public.users;", vcol("a", "integer"))),
			desired: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, " SELECT users.a,\n    users.b\n   FROM public.users;", vcol("a", "integer"), vcol("b", "integer"))),
			want: []string{"CREATE OR REPLACE VIEW public.v1 AS\nSELECT users.a,\n    users.b\n   FROM public.users;"},
		},
		{
			name: "column removed: dropped and created with its dependents, in dependency order",
			live: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, "SELECT users.a, users.b FROM public.users", vcol("a", "integer"), vcol("b", "integer")),
				view(v2, "SELECT v1.a FROM public.v1", vcol("a", "integer")),
				view(v3, "SELECT v2.a FROM public.v2", vcol("a", "integer")),
				viewDep(v2, model.ID(model.KindView, v1)), viewDep(v3, model.ID(model.KindView, v2))),
			desired: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, "SELECT users.b FROM public.users", vcol("b", "integer")),
				view(v2, "SELECT v1.b AS a FROM public.v1", vcol("a", "integer")),
				view(v3, "SELECT v2.a FROM public.v2", vcol("a", "integer")),
				viewDep(v2, model.ID(model.KindView, v1)), viewDep(v3, model.ID(model.KindView, v2))),
			want: []string{
				"DROP VIEW public.v3;",
				"DROP VIEW public.v2;",
				"DROP VIEW public.v1;",
				"CREATE VIEW public.v1 AS\nSELECT users.b FROM public.users;",
				"CREATE VIEW public.v2 AS\nSELECT v1.b AS a FROM public.v1;",
				"CREATE VIEW public.v3 AS\nSELECT v2.a FROM public.v2;",
			},
		},
		{
			name: "a column type change rebuilds the views that use that column only",
			live: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, "SELECT users.a FROM public.users", vcol("a", "integer")),
				view(v2, "SELECT users.b FROM public.users", vcol("b", "integer")),
				viewDep(v1, model.ID(model.KindTable, users)), viewDep(v1, colRef(users, "a")),
				viewDep(v2, model.ID(model.KindTable, users)), viewDep(v2, colRef(users, "b"))),
			desired: newModel(base(col("a", "bigint"), col("b", "integer")),
				view(v1, "SELECT users.a FROM public.users", vcol("a", "bigint")),
				view(v2, "SELECT users.b FROM public.users", vcol("b", "integer"))),
			want: []string{
				"DROP VIEW public.v1;",
				"ALTER TABLE public.users ALTER COLUMN a TYPE bigint USING a::bigint;",
				"CREATE VIEW public.v1 AS\nSELECT users.a FROM public.users;",
			},
		},
		{
			name: "without dependency rows, names in the definition are used",
			live: newModel(base(col("a", "integer"), col("b", "integer")),
				view(v1, "SELECT users.a FROM public.users", vcol("a", "integer")),
				view(v2, "SELECT users.b FROM public.users", vcol("b", "integer"))),
			desired: newModel(base(col("b", "integer")),
				view(v2, "SELECT users.b FROM public.users", vcol("b", "integer"))),
			want: []string{
				"DROP VIEW public.v1;",
				"ALTER TABLE public.users DROP COLUMN a;",
			},
		},
		{
			name: "options",
			live: newModel(view(v1, "SELECT 1 AS one", vcol("one", "integer"))),
			desired: newModel(&model.View{Name: v1, Definition: "SELECT 1 AS one", Columns: []model.ViewColumn{vcol("one", "integer")},
				Options: []string{"security_barrier=true"}}),
			want: []string{"CREATE OR REPLACE VIEW public.v1 WITH (security_barrier=true) AS\nSELECT 1 AS one;"},
		},
	})
}

func TestBuildViewCycleIsAnError(t *testing.T) {
	a, b := pub("a"), pub("b")
	desired := newModel(
		view(a, "SELECT b.x FROM public.b", vcol("x", "integer")),
		view(b, "SELECT a.x FROM public.a", vcol("x", "integer")),
		viewDep(a, model.ID(model.KindView, b)), viewDep(b, model.ID(model.KindView, a)))
	_, err := plan.Build(newModel(), desired, plan.Options{})
	if err == nil || !strings.Contains(err.Error(), "dependency cycle: view public.a → view public.b → view public.a") {
		t.Fatalf("err = %v", err)
	}
}

func TestBuildComments(t *testing.T) {
	withComments := func(text string) *model.Model {
		m := newModel(
			&model.Schema{Name: "public", Comment: text},
			&model.Enum{Name: pub("e"), Labels: []string{"x"}, Comment: text},
			&model.Sequence{Name: pub("s"), Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 9223372036854775807, Cache: 1, Comment: text},
			&model.Table{Name: users, Comment: text, Columns: cols(col("id", "integer", colComment(text))),
				Constraints: map[string]*model.Constraint{"c": {Name: "c", Type: model.Check, Definition: "CHECK ((id > 0))", Validated: true, Comment: text}}},
			&model.Index{Name: pub("i"), Table: users, Definition: "CREATE INDEX i ON public.users USING btree (id)", Comment: text},
			&model.View{Name: pub("v"), Definition: "SELECT 1 AS one", Columns: []model.ViewColumn{{Name: "one", Type: "integer", Comment: text}}, Comment: text},
		)
		return m
	}
	runBuildCases(t, []buildCase{
		{
			name: "changed and removed",
			live: withComments("old"), desired: withComments(""),
			want: []string{
				"COMMENT ON SCHEMA public IS NULL;",
				"COMMENT ON TYPE public.e IS NULL;",
				"COMMENT ON SEQUENCE public.s IS NULL;",
				"COMMENT ON TABLE public.users IS NULL;",
				"COMMENT ON COLUMN public.users.id IS NULL;",
				"COMMENT ON CONSTRAINT c ON public.users IS NULL;",
				"COMMENT ON INDEX public.i IS NULL;",
				"COMMENT ON VIEW public.v IS NULL;",
				"COMMENT ON COLUMN public.v.one IS NULL;",
			},
		},
		{
			name: "set", live: withComments(""), desired: withComments("it's new"),
			want: []string{
				"COMMENT ON SCHEMA public IS 'it''s new';",
				"COMMENT ON TYPE public.e IS 'it''s new';",
				"COMMENT ON SEQUENCE public.s IS 'it''s new';",
				"COMMENT ON TABLE public.users IS 'it''s new';",
				"COMMENT ON COLUMN public.users.id IS 'it''s new';",
				"COMMENT ON CONSTRAINT c ON public.users IS 'it''s new';",
				"COMMENT ON INDEX public.i IS 'it''s new';",
				"COMMENT ON VIEW public.v IS 'it''s new';",
				"COMMENT ON COLUMN public.v.one IS 'it''s new';",
			},
		},
		{
			name: "new objects get theirs after they are created", live: model.New(), desired: withComments("x"),
			want: []string{
				"CREATE SCHEMA IF NOT EXISTS public;",
				"CREATE TYPE public.e AS ENUM ('x');",
				"CREATE SEQUENCE public.s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE;",
				"CREATE TABLE public.users (\n    id integer,\n    CONSTRAINT c CHECK ((id > 0))\n);",
				"CREATE INDEX i ON public.users USING btree (id);",
				"CREATE VIEW public.v AS\nSELECT 1 AS one;",
				// The database's own public schema lets PUBLIC use it.
				"REVOKE CREATE, USAGE ON SCHEMA public FROM PUBLIC;",
				"COMMENT ON SCHEMA public IS 'x';",
				"COMMENT ON TYPE public.e IS 'x';",
				"COMMENT ON SEQUENCE public.s IS 'x';",
				"COMMENT ON TABLE public.users IS 'x';",
				"COMMENT ON COLUMN public.users.id IS 'x';",
				"COMMENT ON CONSTRAINT c ON public.users IS 'x';",
				"COMMENT ON INDEX public.i IS 'x';",
				"COMMENT ON VIEW public.v IS 'x';",
				"COMMENT ON COLUMN public.v.one IS 'x';",
			},
		},
	})
}

func TestBuildSchemas(t *testing.T) {
	runBuildCases(t, []buildCase{{
		name:    "created first, dropped last",
		live:    newModel(&model.Schema{Name: "old"}, table(model.QName{Schema: "old", Name: "t"}, nil)),
		desired: newModel(&model.Schema{Name: "app"}, table(model.QName{Schema: "app", Name: "t"}, nil)),
		want: []string{
			"DROP TABLE old.t;",
			"CREATE SCHEMA IF NOT EXISTS app;",
			"CREATE TABLE app.t ();",
			"DROP SCHEMA old;",
		},
	}})
}

// TestBuildQuotesEveryIdentifier builds every kind of object with names that
// need quoting: quotes, spaces, upper case, unicode, keywords, 63 bytes.
func TestBuildQuotesEveryIdentifier(t *testing.T) {
	const long = "a123456789b123456789c123456789d123456789e123456789f123456789abc"
	sch := `Sales "Dept"`
	q := func(n string) model.QName { return model.QName{Schema: sch, Name: n} }
	tbl, ref, sq, en, vw, ix := q("Order Lines"), q("Ref"), q("Seq Ü"), q("Mood"), q("View"), q("Idx")
	seqObj := &model.Sequence{Name: sq, Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 9223372036854775807, Cache: 1,
		OwnedBy: &model.ColumnRef{Table: tbl, Column: "user"}, Comment: "c"}
	desired := newModel(
		&model.Schema{Name: sch},
		&model.Enum{Name: en, Labels: []string{"it's"}},
		seqObj,
		table(tbl, cols(
			col("Qty", "integer", notNull),
			col("café", "text", colComment("x")),
			col("user", "bigint", def(`nextval('"Sales ""Dept"""."Seq Ü"'::regclass)`)),
			col(long, "integer", identity(model.IdentityAlways, seq(q("Order Lines_"+long[:40]+"_seq"), "integer", 1, 1, 1, 2147483647, 1))),
		), &model.Constraint{Name: "PK Ü", Type: model.PrimaryKey, Definition: `PRIMARY KEY ("Qty")`, Validated: true, Comment: "k"}),
		table(ref, cols(col("Qty", "integer")),
			fk("Ref FK", `FOREIGN KEY ("Qty") REFERENCES "Sales ""Dept"""."Order Lines"("Qty")`, tbl)),
		&model.Index{Name: ix, Table: tbl, Definition: `CREATE INDEX "Idx" ON "Sales ""Dept"""."Order Lines" USING btree ("café")`},
		view(vw, ` SELECT "Order Lines"."Qty"`+"\n"+`   FROM "Sales ""Dept"""."Order Lines";`, vcol("Qty", "integer")),
	)
	p, err := plan.Build(model.New(), desired, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`CREATE SCHEMA IF NOT EXISTS "Sales ""Dept""";`,
		`CREATE SCHEMA IF NOT EXISTS public;`,
		`CREATE TYPE "Sales ""Dept"""."Mood" AS ENUM ('it''s');`,
		`CREATE SEQUENCE "Sales ""Dept"""."Seq Ü" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE;`,
		`CREATE TABLE "Sales ""Dept"""."Order Lines" (` + "\n" +
			`    "Qty" integer NOT NULL,` + "\n" +
			`    "café" text,` + "\n" +
			`    "user" bigint DEFAULT nextval('"Sales ""Dept"""."Seq Ü"'::regclass),` + "\n" +
			`    ` + long + ` integer GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME "Sales ""Dept"""."Order Lines_` + long[:40] + `_seq") NOT NULL,` + "\n" +
			`    CONSTRAINT "PK Ü" PRIMARY KEY ("Qty")` + "\n);",
		`CREATE TABLE "Sales ""Dept"""."Ref" (` + "\n" + `    "Qty" integer` + "\n);",
		`CREATE INDEX "Idx" ON "Sales ""Dept"""."Order Lines" USING btree ("café");`,
		`ALTER TABLE "Sales ""Dept"""."Ref" ADD CONSTRAINT "Ref FK" FOREIGN KEY ("Qty") REFERENCES "Sales ""Dept"""."Order Lines"("Qty");`,
		`ALTER SEQUENCE "Sales ""Dept"""."Seq Ü" OWNED BY "Sales ""Dept"""."Order Lines"."user";`,
		`CREATE VIEW "Sales ""Dept"""."View" AS` + "\n" + `SELECT "Order Lines"."Qty"` + "\n" + `   FROM "Sales ""Dept"""."Order Lines";`,
		`REVOKE CREATE, USAGE ON SCHEMA public FROM PUBLIC;`,
		`COMMENT ON SCHEMA public IS NULL;`,
		`COMMENT ON SEQUENCE "Sales ""Dept"""."Seq Ü" IS 'c';`,
		`COMMENT ON COLUMN "Sales ""Dept"""."Order Lines"."café" IS 'x';`,
		`COMMENT ON CONSTRAINT "PK Ü" ON "Sales ""Dept"""."Order Lines" IS 'k';`,
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.SQL)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// And dropping it all quotes the same names.
	p, err = plan.Build(desired, newModel(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, s := range p.Steps {
		got = append(got, s.SQL)
	}
	want = []string{
		`DROP VIEW "Sales ""Dept"""."View";`,
		`ALTER TABLE "Sales ""Dept"""."Ref" DROP CONSTRAINT "Ref FK";`,
		`DROP TABLE "Sales ""Dept"""."Order Lines";`,
		`DROP TABLE "Sales ""Dept"""."Ref";`,
		`DROP TYPE "Sales ""Dept"""."Mood";`,
		`DROP SCHEMA "Sales ""Dept""";`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("drop plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
