package diff_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

func pub(name string) model.QName { return model.QName{Schema: "public", Name: name} }

// base is a small model; each case edits a fresh copy.
func base() *model.Model {
	m := model.New()
	m.Schemas["public"] = &model.Schema{Name: "public"}
	m.Enums[pub("mood")] = &model.Enum{Name: pub("mood"), Labels: []string{"sad", "ok"}}
	m.Sequences[pub("s")] = &model.Sequence{Name: pub("s"), Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 9223372036854775807, Cache: 1}
	m.Tables[pub("users")] = &model.Table{
		Name: pub("users"),
		Columns: []*model.Column{
			{Name: "id", Type: "bigint", NotNull: true, Identity: model.IdentityAlways,
				IdentitySequence: &model.Sequence{Name: pub("users_id_seq"), Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 9223372036854775807, Cache: 1}},
			{Name: "email", Type: "text", NotNull: true},
			{Name: "created", Type: "timestamp with time zone", Default: "now()"},
		},
		Constraints: map[string]*model.Constraint{
			"users_pkey": {Name: "users_pkey", Type: model.PrimaryKey, Definition: "PRIMARY KEY (id)", Validated: true},
			"has_at":     {Name: "has_at", Type: model.Check, Definition: "CHECK ((email ~~ '%@%'::text))", Validated: true},
		},
	}
	m.Indexes[pub("users_email")] = &model.Index{Name: pub("users_email"), Table: pub("users"),
		Definition: "CREATE INDEX users_email ON public.users USING btree (email)"}
	m.Views[pub("v")] = &model.View{Name: pub("v"), Definition: " SELECT users.id\n   FROM public.users;",
		Columns: []model.ViewColumn{{Name: "id", Type: "bigint"}}}
	return m
}

func TestCompare(t *testing.T) {
	cases := []struct {
		name string
		edit func(live, desired *model.Model)
		want []string
	}{
		{name: "equal", edit: func(l, d *model.Model) {}, want: nil},
		{
			name: "column order is ignored",
			edit: func(l, d *model.Model) {
				cs := d.Tables[pub("users")].Columns
				cs[0], cs[2] = cs[2], cs[0]
			},
			want: nil,
		},
		{
			name: "column attributes",
			edit: func(l, d *model.Model) {
				c := d.Tables[pub("users")].Column("email")
				c.Type, c.NotNull, c.Default, c.Collation, c.Comment = "character varying(255)", false, "''::character varying", `pg_catalog."C"`, "login"
				d.Tables[pub("users")].Column("created").Default = ""
				id := d.Tables[pub("users")].Column("id")
				id.Identity = model.IdentityByDefault
				seq := *id.IdentitySequence
				seq.Start = 100
				id.IdentitySequence = &seq
			},
			want: []string{
				"alter column public.users.created (default: now() → (none))",
				"alter column public.users.email (type: text → character varying(255); collation: (none) → pg_catalog.\"C\"; " +
					"default: (none) → ''::character varying; not null: true → false; comment: (none) → login)",
				"alter column public.users.id (identity: always → by default; identity start: 1 → 100)",
			},
		},
		{
			name: "generated expression",
			edit: func(l, d *model.Model) {
				d.Tables[pub("users")].Column("email").Generated = "lower(name)"
			},
			want: []string{"alter column public.users.email (generated: (none) → lower(name))"},
		},
		{
			name: "objects created and dropped, in kind order then name",
			edit: func(l, d *model.Model) {
				d.Schemas["app"] = &model.Schema{Name: "app"}
				delete(d.Views, pub("v"))
				delete(d.Indexes, pub("users_email"))
				delete(d.Enums, pub("mood"))
				d.Sequences[pub("t")] = &model.Sequence{Name: pub("t")}
				d.Tables[pub("orders")] = &model.Table{Name: pub("orders")}
				u := d.Tables[pub("users")]
				u.Columns = append(u.Columns[:1:1], &model.Column{Name: "name", Type: "text"})
				delete(u.Constraints, "has_at")
			},
			want: []string{
				"create schema app",
				"drop type public.mood",
				"create sequence public.t",
				"create table public.orders",
				"drop column public.users.created",
				"drop column public.users.email",
				"create column public.users.name",
				"drop constraint has_at on public.users",
				"drop index public.users_email",
				"drop view public.v",
			},
		},
		{
			name: "constraint definition and comment",
			edit: func(l, d *model.Model) {
				c := d.Tables[pub("users")].Constraints["has_at"]
				c.Definition, c.Comment = "CHECK ((email ~~ '%@%.%'::text))", "x"
			},
			want: []string{
				"alter constraint has_at on public.users (definition: CHECK ((email ~~ '%@%'::text)) → CHECK ((email ~~ '%@%.%'::text)); comment: (none) → x)",
			},
		},
		{
			name: "NOT VALID in live, valid in desired",
			edit: func(l, d *model.Model) {
				c := l.Tables[pub("users")].Constraints["has_at"]
				c.Definition += " NOT VALID"
				c.Validated = false
			},
			want: []string{"alter constraint has_at on public.users (validated: false → true)"},
		},
		{
			name: "NOT VALID in desired is satisfied by a valid live constraint",
			edit: func(l, d *model.Model) {
				c := d.Tables[pub("users")].Constraints["has_at"]
				c.Definition += " NOT VALID"
				c.Validated = false
			},
			want: nil,
		},
		{
			name: "index invalid in live, valid in desired",
			edit: func(l, d *model.Model) { l.Indexes[pub("users_email")].Invalid = true },
			want: []string{"alter index public.users_email (invalid in live (a failed CREATE INDEX CONCURRENTLY?), to be rebuilt)"},
		},
		{
			name: "index of a partitioned table invalid on both sides",
			edit: func(l, d *model.Model) {
				for _, m := range []*model.Model{l, d} {
					ix := m.Indexes[pub("users_email")]
					ix.Definition, ix.Invalid = "CREATE INDEX users_email ON ONLY public.users USING btree (email)", true
				}
			},
			want: nil,
		},
		{
			name: "index of a partitioned table invalid in live: its partition indexes differ instead",
			edit: func(l, d *model.Model) {
				for _, m := range []*model.Model{l, d} {
					m.Indexes[pub("users_email")].Definition = "CREATE INDEX users_email ON ONLY public.users USING btree (email)"
				}
				l.Indexes[pub("users_email")].Invalid = true
			},
			want: nil,
		},
		{
			name: "enum labels, sequence options, index, view",
			edit: func(l, d *model.Model) {
				d.Enums[pub("mood")].Labels = []string{"sad", "ok", "it's"}
				s := d.Sequences[pub("s")]
				s.Increment, s.Cycle, s.OwnedBy = 2, true, &model.ColumnRef{Table: pub("users"), Column: "id"}
				d.Indexes[pub("users_email")].Definition = "CREATE UNIQUE INDEX users_email ON public.users USING btree (email)"
				v := d.Views[pub("v")]
				v.Definition = " SELECT users.id,\n    users.email\n   FROM public.users;"
				v.Columns = append(v.Columns, model.ViewColumn{Name: "email", Type: "text"})
				v.Options = []string{"security_barrier=true"}
			},
			want: []string{
				"alter type public.mood (labels: 'sad', 'ok' → 'sad', 'ok', 'it''s')",
				"alter sequence public.s (increment: 1 → 2; cycle: false → true; owned by: (none) → public.users.id)",
				"alter index public.users_email (definition: CREATE INDEX users_email ON public.users USING btree (email) → CREATE UNIQUE INDEX users_email ON public.users USING btree (email))",
				"alter view public.v (definition: SELECT users.id FROM public.users → SELECT users.id, users.email FROM public.users; " +
					"columns: id bigint → id bigint, email text; options: (none) → security_barrier=true)",
			},
		},
		{
			name: "comments everywhere",
			edit: func(l, d *model.Model) {
				d.Schemas["public"].Comment = "p"
				d.Tables[pub("users")].Comment = "t"
				d.Views[pub("v")].Comment = "v"
				d.Views[pub("v")].Columns[0].Comment = "vc"
				d.Enums[pub("mood")].Comment = "e"
			},
			want: []string{
				"alter schema public (comment: (none) → p)",
				"alter type public.mood (comment: (none) → e)",
				"alter table public.users (comment: (none) → t)",
				"alter view public.v (comment: (none) → v; column id comment: (none) → vc)",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			live, desired := base(), base()
			c.edit(live, desired)
			var got []string
			for _, ch := range diff.Compare(live, desired) {
				got = append(got, ch.String())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestCompareIsSymmetric(t *testing.T) {
	live, desired := base(), base()
	delete(desired.Tables, pub("users"))
	desired.Tables[pub("orders")] = &model.Table{Name: pub("orders")}
	fwd, back := diff.Compare(live, desired), diff.Compare(desired, live)
	if len(fwd) != len(back) {
		t.Fatalf("forward %v, backward %v", fwd, back)
	}
	for i := range fwd {
		if fwd[i].Object != back[i].Object || fwd[i].Op == back[i].Op {
			t.Errorf("forward %v, backward %v", fwd[i], back[i])
		}
	}
}

func TestCompareDetailsOp(t *testing.T) {
	live, desired := base(), base()
	desired.Tables[pub("users")].Column("email").Type = "citext"
	changes := diff.Compare(live, desired)
	want := diff.Change{Op: diff.Alter, Object: model.ObjectID{Kind: model.KindColumn, Schema: "public", Name: "users", Sub: "email"},
		Details: []string{"type: text → citext"}}
	if len(changes) != 1 || changes[0].Op != want.Op || changes[0].Object != want.Object ||
		strings.Join(changes[0].Details, "|") != strings.Join(want.Details, "|") {
		t.Fatalf("changes = %+v", changes)
	}
}
