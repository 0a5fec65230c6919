package source

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A set read back from its encoding is the set that was parsed, including
// what only parsing derives: the hash, the qualified names, the hints and
// the parser error CheckMajor reports for a statement kept unparsed.
func TestEncodedSetDecodesToTheParsedSet(t *testing.T) {
	dir := t.TempDir()
	write := func(name, sql string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.sql", "SET search_path = app;\nCREATE TABLE app.items (\n  id int -- @renamed from=old_id\n);\nCREATE TABLE app.calc (id int, v int GENERATED ALWAYS AS (id * 2) VIRTUAL);\n")
	write("sub/b.sql", "CREATE INDEX CONCURRENTLY items_id ON app.items (id);\nCREATE VIEW v AS SELECT * FROM other.things;\nALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;\n")
	set, err := LoadFor(dir, FallbackMajor)
	if err != nil {
		t.Fatal(err)
	}
	data, err := set.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSet(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, set) {
		t.Errorf("decoded set differs:\n got %#v\nwant %#v", got, set)
	}
	if got.Hash() != set.Hash() || len(got.QualifiedNames()) == 0 || len(got.Hints) != 1 {
		t.Errorf("hash %s (want %s), names %v, hints %v", got.Hash(), set.Hash(), got.QualifiedNames(), got.Hints)
	}
	// The unparsed PostgreSQL 18 statement is still refused for 17, with
	// the parser's error.
	want := set.CheckMajor(17)
	if want == nil {
		t.Fatal("CheckMajor(17) accepts PostgreSQL 18 syntax")
	}
	if err := got.CheckMajor(17); err == nil || err.Error() != want.Error() {
		t.Errorf("decoded CheckMajor(17) = %v, want %v", err, want)
	}
	if _, err := DecodeSet(data[:len(data)/2]); err == nil {
		t.Error("a truncated encoding decodes")
	}
}
