package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/codegen"
	"github.com/pg-flux/pg-flux/internal/model"
)

type genOptions struct {
	Langs    []string
	Out      string
	Check    bool
	FromLive bool
}

func (a *app) genCommand() *cobra.Command {
	var opts genOptions
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate application types (Go, TypeScript, Python, Rust) from the schema",
		Long: `Generate the application's database types from the desired schema: row,
insert and update types of tables, view rows, enums, composite types,
domains and function signatures, in Go, TypeScript, Python and Rust.

The input is the model PostgreSQL builds from schema/ (or, with
--from-live, the live database's). The outputs and their options are read
from ` + codegen.ConfigFile + ` (write one with 'pg-flux gen init'); --lang
picks some of them, or generates those languages into gen/<lang> (--out
DIR) when there is no config. Types pg-flux does not map need an entry
under overrides:. See docs/gen.md.

With --check nothing is written: each stale, missing or orphaned file is
printed (with a unified diff under --verbose), and the exit code is 1
when any is, 0 when all are current, for CI.`,
		Example: `  pg-flux gen init
  pg-flux gen
  pg-flux gen --lang ts --out web/src/db
  pg-flux gen --check            # in CI, beside: pg-flux drift --strict`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			return a.runGen(cmd.Context(), s, opts)
		}),
	}
	cmd.Flags().StringSliceVar(&opts.Langs, "lang", nil, "languages to generate: go, ts, python, rust (default: every configured output)")
	cmd.Flags().StringVar(&opts.Out, "out", "", "output directory (with one --lang)")
	cmd.Flags().BoolVar(&opts.Check, "check", false, "write nothing; exit 1 when a generated file is stale, missing or orphaned")
	cmd.Flags().BoolVar(&opts.FromLive, "from-live", false, "generate from the live database instead of schema/")
	cmd.AddCommand(a.genInitCommand())
	return cmd
}

func (a *app) genInitCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "init",
		Short:   "Write " + codegen.ConfigFile + " with every option commented",
		Example: `  pg-flux gen init && pg-flux gen`,
		Args:    cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			path := filepath.Join(s.ProjectDir, codegen.ConfigFile)
			if _, err := os.Stat(path); err == nil && !force {
				return &userError{msg: path + " exists", hint: "pass --force to overwrite it"}
			}
			if err := os.WriteFile(path, []byte(codegen.InitConfig), 0o644); err != nil {
				return err
			}
			a.io.Printf("Wrote %s\n", relPath(path))
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing "+codegen.ConfigFile)
	return cmd
}

// genOutputs returns the outputs to generate: the configured ones, those
// of --lang, or default ones for --lang when nothing is configured; and
// the directories of every configured output, picked or not, whose files
// are none of another output's orphans.
func genOutputs(s *settings, opts genOptions) (*codegen.Config, []string, error) {
	path := filepath.Join(s.ProjectDir, codegen.ConfigFile)
	cfg, err := codegen.LoadConfig(path)
	configured := err == nil
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if len(opts.Langs) == 0 {
			return nil, nil, &userError{msg: "no " + codegen.ConfigFile + " in " + s.ProjectDir,
				hint: "run 'pg-flux gen init' to write one, or name languages with --lang go,ts,python,rust"}
		}
		cfg = &codegen.Config{}
	case err != nil:
		return nil, nil, err
	}
	var dirs []string
	for _, o := range cfg.Outputs {
		dirs = append(dirs, o.Out)
	}
	for _, l := range opts.Langs {
		if l != "go" && l != "ts" && l != "python" && l != "rust" {
			return nil, nil, usageErrorf("invalid --lang %q (use go, ts, python, rust)", l)
		}
	}
	if opts.Out != "" && len(opts.Langs) != 1 {
		return nil, nil, usageErrorf("--out needs exactly one --lang")
	}
	if len(opts.Langs) > 0 {
		var picked []codegen.Output
		for _, l := range opts.Langs {
			found := false
			for _, o := range cfg.Outputs {
				if o.Lang == l {
					found = true
					if opts.Out != "" {
						o.Out = opts.Out
					}
					picked = append(picked, o)
				}
			}
			if n := len(picked); opts.Out != "" && n > 1 {
				// --out moves one output; several into one directory
				// would write over each other.
				var outs []string
				for _, o := range cfg.Outputs {
					if o.Lang == l {
						outs = append(outs, o.Out)
					}
				}
				return nil, nil, &userError{msg: fmt.Sprintf("--out %s: %s has %d %s outputs (%s), which cannot share one directory", opts.Out, path, n, l, strings.Join(outs, ", ")),
					hint: "leave out --out to write each where the config says, or keep one " + l + " output in the config"}
			}
			if !found && configured && opts.Out == "" {
				// The config says where each language goes; a default
				// directory beside them would be a surprise.
				return nil, nil, &userError{msg: "--lang " + l + ": " + path + " has no " + l + " output",
					hint: "add one under outputs: (see 'pg-flux gen init'), or pass --out DIR"}
			}
			if !found {
				out := opts.Out
				if out == "" {
					out = filepath.Join("gen", l)
				}
				picked = append(picked, codegen.Output{Lang: l, Out: out})
			}
		}
		cfg.Outputs = picked
		if err := cfg.Validate(); err != nil {
			return nil, nil, err
		}
	}
	if len(cfg.Outputs) == 0 {
		return nil, nil, &userError{msg: path + " has no outputs", hint: "add one under outputs: (see 'pg-flux gen init')"}
	}
	return cfg, dirs, nil
}

func (a *app) runGen(ctx context.Context, s *settings, opts genOptions) error {
	cfg, configured, err := genOutputs(s, opts)
	if err != nil {
		return err
	}
	if opts.FromLive {
		// The live model alone: no source, no shadow.
		t, err := a.openTarget(ctx, s)
		if err != nil {
			return err
		}
		defer t.Close()
		o := t.catalogOptions(s, true)
		o.TypeInfo = true
		m, err := catalog.Inspect(ctx, t.Conn, o)
		if err != nil {
			return err
		}
		return a.generate(s, cfg, configured, m, opts.Check)
	}
	return a.withPipeline(ctx, s, stageModels, func(_ *target, p *pipeline) error {
		return a.generate(s, cfg, configured, p.Desired, opts.Check)
	})
}

// generate writes (or with check compares) every output of cfg from m.
// configured are the directories of every configured output: a file in
// one of them is none of another output's orphans.
func (a *app) generate(s *settings, cfg *codegen.Config, configured []string, m *model.Model, check bool) error {
	langs := make([]string, 0, len(cfg.Outputs))
	for _, o := range cfg.Outputs {
		langs = append(langs, o.Lang)
	}
	spec, err := codegen.BuildSpec(m, cfg.Overrides, langs)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	var files []codegen.File
	dirs := append([]string(nil), configured...)
	for _, o := range cfg.Outputs {
		fs, err := codegen.Generate(spec, o)
		if err != nil {
			return err
		}
		files = append(files, fs...)
		dirs = append(dirs, o.Out)
	}
	changes, err := codegen.Compare(s.ProjectDir, cfg.Outputs, dirs, files)
	if err != nil {
		return err
	}
	// Paths are shown as the user can open them: the outputs are relative
	// to the project directory, which --config may put elsewhere.
	shown := func(c codegen.Change) string {
		if filepath.IsAbs(c.Path) {
			return relPath(c.Path)
		}
		return relPath(filepath.Join(s.ProjectDir, c.Path))
	}
	if check {
		for _, c := range changes {
			a.io.Printf("%s: %s\n", c.Kind, shown(c))
			if a.global.verbose {
				a.io.Printf("%s", codegen.UnifiedDiff(shown(c), c.Old, c.New, 60))
			}
		}
		if len(changes) > 0 {
			a.io.Printf("%d generated file(s) out of date; run 'pg-flux gen'\n", len(changes))
			return &exitCode{ExitFound}
		}
		a.io.Printf("%d generated file(s) current\n", len(files))
		return nil
	}
	if err := codegen.Apply(s.ProjectDir, changes); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	for _, c := range changes {
		verb := "Wrote"
		if c.Kind == codegen.Orphaned {
			verb = "Removed"
		}
		a.io.Printf("%s %s\n", verb, shown(c))
	}
	a.io.Printf("%d file(s) written, %d removed, %d current\n", countKind(changes, false), countKind(changes, true),
		len(files)-countKind(changes, false))
	return nil
}

func countKind(cs []codegen.Change, orphaned bool) int {
	n := 0
	for _, c := range cs {
		if (c.Kind == codegen.Orphaned) == orphaned {
			n++
		}
	}
	return n
}

// relPath returns path relative to the working directory when it is below it.
func relPath(path string) string {
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return path
}
