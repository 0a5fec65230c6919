package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/dump"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
)

type dumpOptions struct {
	Output string
	Layout string
	Force  bool
	// AllowUnmodelled writes the dump even though the managed schemas
	// hold objects pg-flux does not model (they are left out, with a
	// warning).
	AllowUnmodelled bool
}

func (a *app) dumpCommand() *cobra.Command {
	var opts dumpOptions
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Write the whole live schema as a source tree",
		Long: `Write every object of the managed schemas of the live database as SQL source,
ready to commit: right after a dump, pg-flux migrate generate finds nothing to
do. This is how an existing database is adopted.

The per-kind layout (the default) writes one file per object:
  tables/<schema>.<name>.sql     the table with its indexes, constraints,
                                 triggers, policies, comments and grants
  views/ functions/ types/ sequences/
  _global/                       schemas, extensions, servers, publications,
                                 event triggers and default privileges, one
                                 file per kind (1_schemas.sql, 2_extensions.sql,
                                 3_servers.sql first: what later files use)
The flat layout writes everything to one schema.sql, in dependency order.

Objects of kinds pg-flux does not model (conversions, text-search
dictionaries, typed tables, …) cannot be written: dump refuses and names them, unless
--allow-unmodelled (then the dump leaves them out, and says so).

Characters that are not safe in file names (quotes, spaces, slashes, …) are
written as %XX. The output directory must be empty or absent; --force writes
into a directory that holds files, replacing its *.sql files.`,
		Example: `  pg-flux dump --db "$DATABASE_URL"
  pg-flux dump --schemas public,billing --output ./schema --force
  pg-flux dump --layout flat --output /tmp/snapshot`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("output") {
				opts.Output = s.SchemaDir
			}
			return a.runDump(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "directory to write (default: the --schema directory, ./schema)")
	cmd.Flags().StringVar(&opts.Layout, "layout", string(dump.PerKind), "file layout: per-kind or flat")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write into a directory that already holds files, replacing its *.sql files")
	cmd.Flags().BoolVar(&opts.AllowUnmodelled, "allow-unmodelled", false, "write the dump without the objects pg-flux does not model instead of refusing")
	return cmd
}

func (a *app) runDump(ctx context.Context, s *settings, opts dumpOptions) error {
	layout, err := dump.ParseLayout(opts.Layout)
	if err != nil {
		return usageErrorf("--layout: %v", err)
	}
	if opts.Output == "" {
		return usageErrorf("--output must name a directory")
	}
	// Refuse before connecting: no point inspecting to throw it away.
	if !opts.Force {
		if entries, err := os.ReadDir(opts.Output); err == nil && len(entries) > 0 {
			return notEmptyError(opts.Output)
		}
	}
	return a.withLive(ctx, s, func(live *model.Model) error {
		if len(live.Unmodelled) > 0 {
			list := "\n- " + strings.Join(live.Unmodelled, "\n- ")
			if !opts.AllowUnmodelled {
				return &userError{
					msg: fmt.Sprintf("refusing to dump: the managed schemas hold %d object(s) of kinds pg-flux does not model, which the dump would leave out:%s",
						len(live.Unmodelled), list),
					hint: report.UnmodelledHint + " Or pass --allow-unmodelled to write the dump without them.",
				}
			}
			a.io.Errorf("warning: the dump leaves out %d object(s) of kinds pg-flux does not model:%s\n", len(live.Unmodelled), list)
		}
		objs, err := dump.Objects(live)
		if err != nil {
			return err
		}
		files := dump.Files(objs, layout)
		if err := dump.Write(opts.Output, files, opts.Force); err != nil {
			var ne *dump.NotEmptyError
			if errors.As(err, &ne) {
				return notEmptyError(opts.Output)
			}
			return err
		}
		a.io.Printf("Wrote %d object(s) in %d file(s) to %s\n", dump.Count(objs), len(files), displayDir(opts.Output))
		return nil
	})
}

func notEmptyError(dir string) error {
	return &userError{
		msg:  fmt.Sprintf("refusing to dump into %s: the directory is not empty", displayDir(dir)),
		hint: "Pass --output with a new directory, or --force to replace the *.sql files in " + displayDir(dir) + ".",
	}
}

// displayDir prints a relative directory as ./dir, as the other messages do.
func displayDir(dir string) string {
	d := filepath.ToSlash(filepath.Clean(dir))
	if filepath.IsAbs(dir) || strings.HasPrefix(d, "../") || d == "." || d == ".." {
		return d
	}
	return "./" + d
}

// withLive connects to the target, inspects the managed schemas and calls fn.
// It needs no source and no shadow.
func (a *app) withLive(ctx context.Context, s *settings, fn func(live *model.Model) error) error {
	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()
	began := time.Now()
	live, err := catalog.Inspect(ctx, t.Conn, t.catalogOptions(s, true))
	if err != nil {
		return err
	}
	a.log.Debug("live inspected", logDurationMS, since(began))
	return fn(live)
}

type inspectOptions struct {
	Types   []string
	Object  string
	Summary bool
	Out     string
}

func (a *app) inspectCommand() *cobra.Command {
	var opts inspectOptions
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Print live objects as SQL",
		Long: `Print objects of the live database as the SQL that creates them, the same
SQL pg-flux dump writes, in dependency order.

--type keeps objects of the given kinds (table, view, sequence, type, index,
schema, function, …; repeat or separate with commas). --object keeps objects
whose qualified name matches a glob (* and ?): a pattern without a dot
matches the name in any schema. A table comes with its indexes, constraints,
triggers, comments and grants. --summary prints an inventory instead.`,
		Example: `  pg-flux inspect --db "$DATABASE_URL"
  pg-flux inspect --type table --object 'public.user*'
  pg-flux inspect --type view,function --schemas public,reporting
  pg-flux inspect --summary
  pg-flux inspect --object orders --out /tmp/orders.sql`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runInspect(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().StringSliceVarP(&opts.Types, "type", "t", nil, "kinds of objects to print (table, view, index, …)")
	cmd.Flags().StringVar(&opts.Object, "object", "", "glob over qualified object names, e.g. 'public.order*'")
	cmd.Flags().BoolVar(&opts.Summary, "summary", false, "print a TYPE / SCHEMA / NAME inventory instead of SQL")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write to this file instead of standard output")
	return cmd
}

func (a *app) runInspect(ctx context.Context, s *settings, opts inspectOptions) error {
	var match *regexp.Regexp
	if opts.Object != "" {
		match = globRE(opts.Object)
	}
	kinds := map[string]bool{}
	for _, k := range opts.Types {
		for _, f := range strings.Split(k, ",") {
			if f = normalKind(f); f != "" {
				kinds[f] = true
			}
		}
	}
	return a.withLive(ctx, s, func(live *model.Model) error {
		p, err := plan.Build(model.New(), live, plan.Options{})
		if err != nil {
			return fmt.Errorf("cannot write the schema as SQL: %w", err)
		}
		// Keep a step when its owner or its own object passes the filters:
		// --type index keeps indexes only, --type table whole tables.
		ownerOf := dump.Owners(live, p.Steps)
		var steps []plan.Step
		for i, st := range p.Steps {
			if keepStep(st.Object, ownerOf[i], kinds, match) {
				steps = append(steps, st)
			}
		}
		objs := dump.Group(live, steps)
		if dump.Count(objs) == 0 && (len(kinds) > 0 || match != nil) {
			var filters []string
			if len(kinds) > 0 {
				filters = append(filters, "--type "+strings.Join(opts.Types, ","))
			}
			if match != nil {
				filters = append(filters, "--object "+opts.Object)
			}
			a.warnf("no live object in the schemas %s matches %s", strings.Join(s.TargetSchemas, ","), strings.Join(filters, " "))
		}

		out := a.io.Out
		var f *os.File
		if opts.Out != "" {
			if f, err = os.Create(opts.Out); err != nil {
				return fmt.Errorf("cannot create %s: %w", opts.Out, err)
			}
			out = f
		}
		if opts.Summary {
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TYPE\tSCHEMA\tNAME")
			rows := summaryRows(live, steps, objs)
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Kind, r.Schema, r.Name)
			}
			err = tw.Flush()
			if err == nil {
				_, err = fmt.Fprintf(out, "%d object(s)\n", len(rows))
			}
		} else {
			_, err = out.Write(dump.Render(dump.Grouped(objs)))
		}
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fmt.Errorf("cannot write the inspection: %w", err)
		}
		if opts.Out != "" {
			a.io.Printf("Wrote %d object(s) to %s\n", dump.Count(objs), opts.Out)
		}
		return nil
	})
}

// normalKind turns a --type value into a model kind: "tables" → "table",
// "enum" → "type", "materialized-view" → "materialized view".
func normalKind(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	switch {
	case s == "":
		return ""
	case s == "enum" || s == "enums":
		return string(model.KindEnum)
	case strings.HasSuffix(s, "indexes"):
		return strings.TrimSuffix(s, "es")
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && s != "statistics" && s != "default privileges":
		return strings.TrimSuffix(s, "s")
	}
	return s
}

func keepStep(obj, owner model.ObjectID, kinds map[string]bool, match *regexp.Regexp) bool {
	if len(kinds) > 0 && !kinds[string(owner.Kind)] && !kinds[string(obj.Kind)] {
		return false
	}
	if match == nil {
		return true
	}
	return nameMatches(owner, match) || nameMatches(obj, match)
}

func nameMatches(id model.ObjectID, match *regexp.Regexp) bool {
	if id.Kind == model.KindSchema {
		return match.MatchString(id.Name)
	}
	return match.MatchString(id.Schema+"."+id.Name) || match.MatchString(id.QName().String()) ||
		(!strings.Contains(match.String(), `\.`) && match.MatchString(id.Name))
}

// globRE compiles a glob (* any run, ? one character) matching whole names.
func globRE(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

type summaryRow struct{ Kind, Schema, Name string }

// summaryRows lists the objects: each owning object, and the separately
// named objects that live in its file (indexes and the like); columns,
// constraints, triggers and policies are parts of their table.
func summaryRows(live *model.Model, steps []plan.Step, objs []dump.Object) []summaryRow {
	seen := map[model.ObjectID]bool{}
	var rows []summaryRow
	add := func(id model.ObjectID) {
		id.Sub = ""
		if seen[id] {
			return
		}
		seen[id] = true
		rows = append(rows, summaryRow{string(id.Kind), id.Schema, id.Name})
	}
	for _, o := range objs {
		if !o.Preamble() {
			add(o.ID)
		}
	}
	for _, st := range steps {
		if st.Object.Kind != "" && st.Object.Sub == "" && st.Object.Kind != model.KindColumn && st.Object.Kind != model.KindConstraint {
			if _, ok := dump.SourceSQL(live, st); ok {
				add(st.Object)
			}
		}
	}
	sortRows(rows) // by kind, for reading
	return rows
}

func sortRows(rows []summaryRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Schema != b.Schema {
			return a.Schema < b.Schema
		}
		return a.Name < b.Name
	})
}
