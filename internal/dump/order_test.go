package dump_test

import (
	"context"
	"os"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/dump"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestGlobalFilesLoadInPathOrder: the per-kind layout's _global/ files
// create every schema before the extensions created in it, and those (with
// the foreign-data wrappers they bring) before the servers that use them,
// so they load one file after the other in path order, the order the
// source loader and a plain psql loop read them in; the flat layout loads
// in one pass.
func TestGlobalFilesLoadInPathOrder(t *testing.T) {
	ctx := context.Background()
	live := pgtest.NewDatabase(t)
	live.Exec(t, `
CREATE SCHEMA zz_ext;
CREATE SCHEMA test;
CREATE EXTENSION file_fdw WITH SCHEMA test;
CREATE SERVER import_csv FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE zz_ext.projects (id int) SERVER import_csv OPTIONS (filename '/dev/null', format 'csv');`)
	m, err := catalog.Inspect(ctx, live.Connect(t), catalog.Options{Schemas: []string{"test", "zz_ext"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := dump.Objects(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, layout := range []dump.Layout{dump.PerKind, dump.Flat} {
		fresh := pgtest.NewDatabase(t)
		conn := fresh.Connect(t)
		for _, f := range dump.Files(objs, layout) {
			if _, err := conn.Exec(ctx, string(dump.Render(f))); err != nil {
				t.Errorf("%s: %s does not load after the files before it: %v\n%s", layout, f.Path, err, dump.Render(f))
			}
		}
	}
}
