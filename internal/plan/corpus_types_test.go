package plan_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/corpus"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// corpusDir is the real-world schema corpus (see corpus.Dir); a test that
// needs it fails when it is missing.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := corpus.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRebuildPartitionedCorpus loads the corpus schemas with partitioned
// tables, domains, a range type, extensions, an ICU collation and a
// text-search configuration, rebuilds each from nothing
// with Build(model.New(), m) in a fresh database, and requires the rebuilt
// database to inspect exactly as the original.
func TestRebuildPartitionedCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("loads corpus schemas; skipped with -short")
	}
	corpusDir := corpusDir(t)
	corpora := []struct {
		name    string
		schemas []string
		// tolerated are kinds whose differences are logged, not failed:
		// musicbrainz has CHECK constraints and a view whose deparsed
		// text PostgreSQL deparses differently once reloaded.
		tolerated []model.Kind
	}{
		{"pagila", []string{"public"}, nil},
		{"hatchet", []string{"public"}, nil},
		{"lago", []string{"public"}, nil},
		{"musicbrainz", []string{"musicbrainz", "cover_art_archive", "documentation", "event_art_archive", "json_dump",
			"report", "sitemaps", "statistics", "wikidocs", "dbmirror2", "public"}, []model.Kind{model.KindConstraint, model.KindView}},
	}
	for _, c := range corpora {
		name, schemas, tolerated := c.name, c.schemas, c.tolerated
		t.Run(name, func(t *testing.T) {
			sql, err := os.ReadFile(filepath.Join(corpusDir, name, "schema.sql"))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			src := pgtest.NewDatabase(t)
			conn := src.Connect(t)
			// pg_dump output names its owner; roles are cluster-wide.
			if _, err := conn.Exec(ctx, `DO $$ BEGIN CREATE ROLE postgres NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`); err != nil {
				t.Fatal(err)
			}
			stmts, err := source.Split(name+".sql", string(sql))
			if err != nil {
				t.Fatal(err)
			}
			// One statement at a time: CREATE INDEX CONCURRENTLY cannot
			// run in the implicit transaction of a multi-statement string.
			var routines []string
			searchPath := "SET search_path = " + strings.Join(schemas, ", ")
			for _, st := range stmts {
				if st.Node == "VariableSetStmt" && strings.Contains(strings.ToLower(st.SQL), "search_path") {
					searchPath = strings.TrimSuffix(strings.TrimSpace(st.SQL), ";")
				}
				if _, err := conn.Exec(ctx, st.SQL); err != nil {
					t.Fatalf("load %s line %d: %v", name, st.Line, err)
				}
				if st.Node == "CreateFunctionStmt" || st.Node == "DoStmt" || (st.Node == "DefineStmt" && strings.Contains(strings.ToUpper(st.SQL), "AGGREGATE")) {
					// Each with the search_path the source had there.
					routines = append(routines, searchPath+";\n"+st.SQL)
				}
			}
			want := inspect(t, conn, schemas)
			p, err := plan.Build(model.New(), want, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			dst := pgtest.NewDatabase(t).Connect(t)
			// Routines are planned elsewhere: they run with the plan's
			// steps, every statement retried until a pass makes no
			// progress (a routine may need a planned type, a view a
			// routine); a planned CREATE of a routine is a duplicate.
			if _, err := dst.Exec(ctx, `DROP SCHEMA public; CREATE SCHEMA public; SET check_function_bodies = off`); err != nil {
				t.Fatal(err)
			}
			// Routines are loaded the way the source spells them, into
			// the schemas it names (which must exist for that).
			for _, sch := range schemas {
				if _, err := dst.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+sch); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := dst.Exec(ctx, "SET search_path = "+strings.Join(schemas, ", ")); err != nil {
				t.Fatal(err)
			}
			pending := append([]string(nil), routines...)
			for _, s := range p.Steps {
				pending = append(pending, s.SQL)
			}
			for len(pending) > 0 {
				var failed []string
				var lastErr error
				for _, stmt := range pending {
					if _, err := dst.Exec(ctx, stmt); err != nil {
						var pgErr *pgconn.PgError
						if errors.As(err, &pgErr) && pgErr.Code == "42723" {
							continue
						}
						failed, lastErr = append(failed, stmt), fmt.Errorf("%w\n%s", err, stmt)
					}
				}
				if len(failed) == len(pending) {
					t.Fatalf("%d of %d steps and routines fail; last: %v", len(failed), len(p.Steps)+len(routines), lastErr)
				}
				pending = failed
			}
			got := inspect(t, dst, schemas)
			var lines []string
			for _, c := range diff.Compare(got, want) {
				if slices.Contains(tolerated, c.Object.Kind) {
					t.Logf("tolerated: %.200s", c)
					continue
				}
				lines = append(lines, c.String())
			}
			if changes := lines; len(changes) > 0 {
				t.Fatalf("rebuilt %s differs in %d object(s):\n  %s", name, len(changes), strings.Join(lines, "\n  "))
			}
			t.Logf("%s: %d tables (%d partitions), %d domains, %d composites, %d ranges, %d extensions, %d materialized views, %d collations, %d text-search configurations rebuilt in %d steps",
				name, len(want.Tables), countPartitions(want), len(want.Domains), len(want.Composites), len(want.Ranges), len(want.Extensions),
				len(want.MatViews), len(want.Collations), len(want.TextSearchConfigs), len(p.Steps))
		})
	}
}

func countPartitions(m *model.Model) int {
	n := 0
	for _, t := range m.Tables {
		if t.PartitionOf != nil {
			n++
		}
	}
	return n
}
