package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/dump"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
)

type pullOptions struct {
	DryRun bool
	Output string
}

func (a *app) pullCommand() *cobra.Command {
	var opts pullOptions
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Write the live objects that source does not declare as SQL",
		Long: `Write SQL that declares every object verify reports (objects the live
database has and source lacks) to schema/_pulled/<YYYYMMDD_HHMMSS>_pulled.sql.
The file is valid source as it stands; review it, move each statement into
the file where it belongs, and delete it. pull never drops anything and never
changes the database.`,
		Example: `  pg-flux pull
  pg-flux pull --dry-run
  pg-flux pull --output /tmp/pulled --db "$DATABASE_URL"`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runPull(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the SQL instead of writing a file")
	cmd.Flags().StringVar(&opts.Output, "output", "", "directory to write to (default <schema>/_pulled)")
	return cmd
}

func (a *app) runPull(ctx context.Context, s *settings, opts pullOptions) error {
	return a.withPipeline(ctx, s, stageModels, func(_ *target, p *pipeline) error {
		undeclared := report.Undeclared(diff.Compare(p.Live, p.Desired))
		if len(undeclared) == 0 {
			a.io.Printf("%s\n", report.NothingToPull)
			return nil
		}
		objs, missing, err := pulledObjects(p.Live, p.Desired, undeclared)
		if err != nil {
			return err
		}
		for _, id := range missing {
			a.warnf("pg-flux cannot write SQL for %s yet; declare it by hand", id)
		}
		now := a.now()
		var buf bytes.Buffer
		if err := report.PullFile(&buf, objs, now, s.SchemaDir); err != nil {
			return err
		}
		if opts.DryRun {
			_, err := a.io.Out.Write(buf.Bytes())
			return err
		}
		dir := opts.Output
		if dir == "" {
			dir = filepath.Join(s.SchemaDir, "_pulled")
		}
		path := filepath.Join(dir, now.UTC().Format("20060102_150405")+"_pulled.sql")
		if err := writeNewFile(path, buf.Bytes()); err != nil {
			return err
		}
		written := len(undeclared)
		for _, id := range missing {
			if slices.ContainsFunc(undeclared, func(c diff.Change) bool { return c.Object == id }) {
				written--
			}
		}
		return report.PullWritten(a.io.Out, written, path)
	})
}

// pulledObjects returns the SQL that declares the undeclared objects, in
// dependency order: the plan from desired to live (the reverse direction)
// creates exactly what live has and source lacks, and each step is written
// as dump writes it (dump.SourceSQL): indexes and constraints as PostgreSQL
// defines them in live, not as the planner's online rewrites; an index of
// a partitioned table comes with its partitions' indexes (dump.IndexSQL).
// missing lists objects no step declares, and partition indexes whose
// names pull cannot give (namePartitionIndexes).
func pulledObjects(live, desired *model.Model, undeclared []diff.Change) ([]report.Pulled, []model.ObjectID, error) {
	reverse, err := plan.Build(desired, live, plan.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot plan the undeclared objects: %w", err)
	}
	wanted := map[model.ObjectID]bool{}
	for _, c := range undeclared {
		wanted[c.Object] = true
	}
	covered := func(id model.ObjectID) bool {
		if wanted[id] {
			return true
		}
		// Columns and constraints of an undeclared table come with it.
		if id.Kind == model.KindColumn || id.Kind == model.KindConstraint {
			return wanted[model.ID(model.KindTable, id.QName())]
		}
		return false
	}

	// created is the plan that creates live, as dump writes it, built
	// the first time it is needed.
	var full []plan.Step
	created := func() ([]plan.Step, error) {
		if full == nil {
			p, err := plan.Build(model.New(), live, plan.Options{})
			if err != nil {
				return nil, fmt.Errorf("cannot write the undeclared indexes as SQL: %w", err)
			}
			full = p.Steps
		}
		return full, nil
	}
	var out []report.Pulled
	done := map[model.ObjectID]bool{}
	emit := func(id model.ObjectID, sql string) {
		done[id] = true
		if n := len(out); n > 0 && out[n-1].Object == id {
			out[n-1].SQL = append(out[n-1].SQL, sql)
			return
		}
		out = append(out, report.Pulled{Object: id, SQL: []string{sql}})
	}
	for _, st := range reverse.Steps {
		id := st.Object
		if !covered(id) {
			continue
		}
		if (id.Kind == model.KindIndex || id.Kind == model.KindConstraint) && done[id] {
			continue
		}
		// The same rendering as dump: indexes and constraints as defined.
		sql, ok := dump.SourceSQL(live, st)
		if !ok {
			continue
		}
		if ix := live.Indexes[id.QName()]; id.Kind == model.KindIndex && ix != nil && strings.HasPrefix(sql, "CREATE ") {
			// An index of a partitioned table comes with its partitions'
			// indexes, which the reverse plan builds online.
			stmts, err := dump.IndexSQL(live, ix, created)
			if err != nil {
				return nil, nil, err
			}
			for _, s := range stmts {
				emit(id, s)
			}
			continue
		}
		emit(id, sql)
	}
	var missing []model.ObjectID
	for _, c := range undeclared {
		if !done[c.Object] {
			missing = append(missing, c.Object)
		}
	}
	return out, append(missing, namePartitionIndexes(live, desired, out)...), nil
}

// namePartitionIndexes adds to each pulled partition the renames that give
// its indexes attached to its parents' declared indexes the names live
// gives them: creating or attaching a partition gives it an index of each
// index of its parent, named by PostgreSQL (an ALTER TABLE … ATTACH
// PARTITION by hand may have attached one of another name). It returns the
// partition indexes whose name PostgreSQL gives cannot be told, to declare
// by hand. (A pulled index brings its partitions' indexes along: IndexSQL.)
func namePartitionIndexes(live, desired *model.Model, out []report.Pulled) []model.ObjectID {
	var missing []model.ObjectID
	seen := map[model.ObjectID]bool{}
	for i, o := range out {
		t := live.Tables[o.Object.QName()]
		if o.Object.Kind != model.KindTable || t == nil || t.PartitionOf == nil || desired.Tables[t.Name] != nil || seen[o.Object] {
			continue
		}
		seen[o.Object] = true
		for _, ix := range live.SortedIndexes() {
			if desired.Indexes[ix.Name] == nil {
				continue
			}
			for _, c := range ix.Partitions {
				if c.Table != t.Name {
					continue
				}
				name, ok := dump.PartitionIndexName(live, ix, c.Table)
				switch {
				case !ok:
					missing = append(missing, model.ID(model.KindIndex, model.QName{Schema: c.Table.Schema, Name: c.Name}))
				case name != c.Name:
					out[i].SQL = append(out[i].SQL, fmt.Sprintf("ALTER INDEX %s RENAME TO %s;",
						model.QName{Schema: c.Table.Schema, Name: name}, model.QuoteIdent(c.Name)))
				}
			}
		}
	}
	return missing
}

// writeNewFile writes a file that must not exist yet, creating its
// directory.
func writeNewFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return &userError{msg: fmt.Sprintf("%s already exists; not overwriting it", path), hint: "Wait a second and run the command again."}
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %w", path, werr)
	}
	return nil
}
