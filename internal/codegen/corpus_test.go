package codegen

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/corpus"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// TestCorpus generates every language for every corpus schema (all its
// schemas) and compiles the lot with one run of each toolchain. A schema
// with types pg-flux does not map must fail with the UnmappedError that
// names each column and the override to write; the overrides it suggests
// are then added, and the output must compile with them.
func TestCorpus(t *testing.T) {
	dir, err := corpus.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	names, err := corpus.Schemas(dir)
	if err != nil || len(names) == 0 {
		t.Fatalf("no corpus schemas in %s: %v", dir, err)
	}
	root := t.TempDir()
	if d := os.Getenv("PGFLUX_GEN_CORPUS_OUT"); d != "" {
		root = d // kept, to look at what failed
	}
	var mu sync.Mutex
	var subs []string
	t.Run("generate", func(t *testing.T) {
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				m := loadCorpus(t, filepath.Join(dir, name))
				spec, err := BuildSpec(m, nil, Languages)
				var u *UnmappedError
				if errors.As(err, &u) {
					var ovs []Override
					seen := map[string]bool{}
					for _, it := range u.Items {
						if !strings.Contains(err.Error(), it.Where) || !strings.Contains(err.Error(), "- type: "+it.Type) {
							t.Errorf("unmapped error does not name %s and its override:\n%v", it.Where, err)
						}
						if !seen[it.Type] {
							seen[it.Type] = true
							ovs = append(ovs, Override{Type: it.Type, Go: "string", TS: "string", Python: "str", Rust: "::std::string::String"})
						}
					}
					t.Logf("unmapped (overridden as text for the compile check): %v", sortedKeys(seen))
					spec, err = BuildSpec(m, ovs, Languages)
				}
				if err != nil {
					t.Fatal(err)
				}
				sub := "c_" + snake(name)
				for _, o := range []Output{{Lang: "go", Package: sub}, {Lang: "ts", Validators: "zod"}, {Lang: "python"}, {Lang: "rust"}} {
					o.Out = filepath.Join(root, o.Lang, sub)
					if o.Lang == "rust" {
						o.Out = filepath.Join(root, "rust", "src", sub)
					}
					cfg := Config{Outputs: []Output{o}}
					if err := cfg.Validate(); err != nil {
						t.Fatal(err)
					}
					files, err := Generate(spec, cfg.Outputs[0])
					if err != nil {
						t.Fatal(err)
					}
					for _, f := range files {
						write(t, f.Path, string(f.Content))
					}
				}
				mu.Lock()
				subs = append(subs, sub)
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	sort.Strings(subs)
	t.Run("go", func(t *testing.T) { t.Parallel(); goVet(t, filepath.Join(root, "go")) })
	t.Run("ts", func(t *testing.T) { t.Parallel(); tsc(t, filepath.Join(root, "ts")) })
	t.Run("python", func(t *testing.T) { t.Parallel(); mypy(t, filepath.Join(root, "python"), subs) })
	t.Run("rust", func(t *testing.T) { t.Parallel(); cargoCheck(t, filepath.Join(root, "rust"), subs) })
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// loadCorpus loads a corpus schema (roles.sql first when there is one) with
// psql and inspects all the schemas it created.
func loadCorpus(t *testing.T, dir string) *model.Model {
	t.Helper()
	db := pgtest.NewDatabase(t)
	bin, err := pgserver.FindBinaries(pgtest.Major())
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.DSN}
	if _, err := os.Stat(filepath.Join(dir, "roles.sql")); err == nil {
		args = append(args, "-f", filepath.Join(dir, "roles.sql"))
	}
	args = append(args, "-f", filepath.Join(dir, "schema.sql"))
	cmd := exec.Command(filepath.Join(bin.Dir, "psql"), args...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c client_min_messages=warning")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("load %s: %v\n%.2000s", dir, err, out)
	}
	conn := db.Connect(t)
	rows, err := conn.Query(context.Background(), `SELECT nspname FROM pg_namespace
		WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var schemas []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		schemas = append(schemas, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	m, err := catalog.Inspect(context.Background(), conn, catalog.Options{Schemas: schemas, TypeInfo: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
