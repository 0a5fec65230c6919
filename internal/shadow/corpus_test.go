package shadow

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/corpus"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// TestLoadCorpus loads every real-world schema of the corpus into an
// embedded shadow (roles are cluster-wide, so never into a shared server).
func TestLoadCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every corpus schema; skipped with -short")
	}
	corpusDir, err := corpus.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			// schema.sql alone is source: roles.sql sets up the cluster's
			// roles, which source may not alter, and the embedded shadow
			// creates the roles the schema references.
			dir := t.TempDir()
			data, err := os.ReadFile(filepath.Join(corpusDir, e.Name(), "schema.sql"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "schema.sql"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			set, err := source.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			m, err := Desired(ctx, srv, set, []string{"public"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d statements loaded and inspected in %v (%d tables in public)", len(set.Statements), time.Since(start), len(m.Tables))
			// The cache's codec gives the same model back.
			var back model.Model
			d := newDecoder(encodeValue(nil, reflect.ValueOf(m).Elem()))
			if err := d.value(reflect.ValueOf(&back).Elem()); err != nil || len(d.b) != 0 || !reflect.DeepEqual(&back, m) {
				t.Errorf("the cache codec does not give the model back (err %v, %d bytes left)", err, len(d.b))
			}
			// An entry encoded in two parts, the verdicts after the
			// model, reads as the entry.
			verdicts := map[string]bool{"spelling a": true, "spelling b": false}
			var enc encoder
			enc.entryHead("key", m)
			enc.value(reflect.ValueOf(verdicts))
			var e cacheEntry
			d = newDecoder(enc.b)
			if err := d.value(reflect.ValueOf(&e).Elem()); err != nil || len(d.b) != 0 || e.Key != "key" ||
				!reflect.DeepEqual(e.Model, m) || !reflect.DeepEqual(e.Verdicts, verdicts) {
				t.Errorf("an entry of encoded parts does not read back (err %v, %d bytes left)", err, len(d.b))
			}
		})
	}
}
