package catalog_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/source"
)

// TestOutsideFindsWhatManagedObjectsUse: the objects outside the managed
// schemas that managed objects use are found transitively (a domain over
// an enum of a third schema, an extension from its member type, a table a
// foreign key references and the table that one references, a function a
// default calls, a type a signature uses), and nothing else is: not an
// unused table, not a trigger of a used table, not what that trigger calls.
func TestOutsideFindsWhatManagedObjectsUse(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, `
CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE EXTENSION hstore WITH SCHEMA extensions;
CREATE SCHEMA utils;
CREATE SCHEMA lookup;
CREATE TYPE lookup.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN utils.mood AS lookup.mood;
CREATE DOMAIN utils.posint AS integer CHECK (VALUE > 0);
CREATE TYPE utils.pair AS (a int, b text);
CREATE FUNCTION utils.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE FUNCTION utils.audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE utils.countries (code text PRIMARY KEY);
CREATE TABLE utils.cities (id int PRIMARY KEY, country text REFERENCES utils.countries);
CREATE TRIGGER audit BEFORE INSERT ON utils.cities FOR EACH ROW EXECUTE FUNCTION utils.audit();
CREATE TABLE utils.unused (x int);
CREATE TABLE public.users (
  id int PRIMARY KEY,
  email extensions.citext,
  mood utils.mood,
  tags utils.posint[],
  city int REFERENCES utils.cities,
  name text DEFAULT utils.norm('X')
);
CREATE FUNCTION public.pair_of(p utils.pair) RETURNS int LANGUAGE sql AS 'SELECT 1';
`)
	ctx := context.Background()
	conn := db.Connect(t)
	out, err := catalog.Outside(ctx, conn, catalog.Options{Schemas: []string{"public"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out == nil {
		t.Fatal("nothing found outside public")
	}
	q := func(s, n string) model.QName { return model.QName{Schema: s, Name: n} }
	var schemas, exts, tables, domains, enums, composites, functions []string
	for n := range out.Schemas {
		schemas = append(schemas, n)
	}
	for n := range out.Extensions {
		exts = append(exts, n)
	}
	for n := range out.Tables {
		tables = append(tables, n.String())
	}
	for n := range out.Domains {
		domains = append(domains, n.String())
	}
	for n := range out.Enums {
		enums = append(enums, n.String())
	}
	for n := range out.Composites {
		composites = append(composites, n.String())
	}
	for n := range out.Functions {
		functions = append(functions, n)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"schemas", schemas, []string{"extensions", "lookup", "utils"}},
		{"extensions", exts, []string{"citext"}},
		{"tables", tables, []string{"utils.cities", "utils.countries"}},
		{"domains", domains, []string{"utils.mood", "utils.posint"}},
		{"enums", enums, []string{"lookup.mood"}},
		{"composites", composites, []string{"utils.pair"}},
		{"functions", functions, []string{"utils.norm(t text)"}},
	} {
		slices.Sort(c.got)
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	if len(out.Triggers) != 0 || out.Tables[q("utils", "cities")] == nil {
		t.Errorf("triggers %v", out.Triggers)
	}

	// What only the source names counts too: hstore, used by nothing on
	// live yet.
	out, err = catalog.Outside(ctx, conn, catalog.Options{Schemas: []string{"public"}}, func() ([]source.Name, error) {
		return []source.Name{{Schema: "extensions", Name: "hstore"}, {Schema: "utils", Name: "unused"}, {Schema: "public", Name: "users"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Extensions["hstore"] == nil || out.Tables[q("utils", "unused")] == nil {
		t.Errorf("named objects not found: extensions %v, tables %v", out.Extensions, out.Tables)
	}

	// Nothing outside: nil, and the managed model is unchanged by it.
	db2 := pgtest.NewDatabase(t)
	db2.Exec(t, `CREATE TABLE public.t (id int)`)
	// The source's names are not asked for: with no schema to look in,
	// the caller need not wait for the source to be parsed.
	asked := false
	names := func() ([]source.Name, error) {
		asked = true
		return []source.Name{{Schema: "public", Name: "t"}}, nil
	}
	if out, err := catalog.Outside(ctx, db2.Connect(t), catalog.Options{Schemas: []string{"public"}}, names); err != nil || out != nil || asked {
		t.Errorf("Outside of a self-contained schema: %v, %v, names asked: %v", out, err, asked)
	}
}
