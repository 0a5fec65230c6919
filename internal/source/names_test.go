package source

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestQualifiedNames: the qualified names a source uses, from every place
// a name can stand (column types, foreign keys, defaults, signatures,
// views, collations, CREATE EXTENSION … WITH SCHEMA), and not a table
// alias with its column. (int is pg_catalog.int4 to the parser; system
// schemas are never outside.)
func TestQualifiedNames(t *testing.T) {
	dir := t.TempDir()
	sql := `CREATE TABLE public.users (
  id int PRIMARY KEY,
  email extensions.citext COLLATE utils.ci,
  tags utils.posint[],
  city int REFERENCES geo.cities (id),
  name text DEFAULT utils.norm('X')
);
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA crypto;
CREATE FUNCTION public.f(p utils.pair) RETURNS lookup.mood LANGUAGE sql AS 'SELECT NULL';
CREATE VIEW public.v AS SELECT u.id FROM public.users u JOIN auth.people p ON p.id = u.id;
`
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Name{
		{"auth", "people"}, {"crypto", ""}, {"extensions", "citext"}, {"geo", "cities"},
		{"lookup", "mood"}, {"pg_catalog", "int4"}, {"public", "f"}, {"public", "users"}, {"public", "v"},
		{"utils", "ci"}, {"utils", "norm"}, {"utils", "pair"}, {"utils", "posint"},
	}
	if got := set.QualifiedNames(); !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
