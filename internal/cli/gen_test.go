package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies a directory tree (the example project) into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if e.IsDir() {
			if rel == ".pg-flux" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGenCheckExample is the CI gate on the example project: its committed
// files are current; a changed column makes them stale (exit 1, naming
// each file); gen brings them up to date; a file no longer generated is
// reported and removed.
func TestGenCheckExample(t *testing.T) {
	example, err := filepath.Abs("../../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	p := newLiveProject(t)
	copyTree(t, example, p.dir)

	r := p.must(0, "gen", "--check")
	if !strings.Contains(r.stdout, "5 generated file(s) current") {
		t.Errorf("gen --check on the example:\n%s", r)
	}

	tables, _ := filepath.Glob(filepath.Join(p.dir, "schema", "tables", "*customers*.sql"))
	if len(tables) != 1 {
		t.Fatalf("no customers table file in the example: %v", tables)
	}
	src, _ := os.ReadFile(tables[0])
	p.write(strings.TrimPrefix(tables[0], p.dir+"/")+"", string(src)+"\nALTER TABLE customers ADD COLUMN nickname text;\n")

	r = p.must(1, "gen", "--check", "--verbose")
	for _, want := range []string{"stale: gen/go/dbgen/dbgen.go", "stale: gen/ts/database.ts", "stale: gen/python/models.py",
		"stale: gen/rust/models.rs", "+	Nickname", "run 'pg-flux gen'"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("gen --check after a schema change lacks %q:\n%s", want, r)
		}
	}
	p.must(0, "gen")
	p.must(0, "gen", "--check")
	if data, _ := os.ReadFile(filepath.Join(p.dir, "gen", "ts", "database.ts")); !strings.Contains(string(data), "nickname: string | null;") {
		t.Errorf("gen did not write the new column:\n%s", data)
	}

	// zod off: its file is ours and no longer generated.
	cfg, _ := os.ReadFile(filepath.Join(p.dir, ".pg-flux-codegen.yml"))
	p.write(".pg-flux-codegen.yml", strings.Replace(string(cfg), "validators: zod", "validators: none", 1))
	r = p.must(1, "gen", "--check")
	if !strings.Contains(r.stdout, "orphaned: gen/ts/database.zod.ts") {
		t.Errorf("orphaned file not reported:\n%s", r)
	}
	p.must(0, "gen")
	if _, err := os.Stat(filepath.Join(p.dir, "gen", "ts", "database.zod.ts")); !os.IsNotExist(err) {
		t.Errorf("orphaned file not removed: %v", err)
	}
	p.must(0, "gen", "--check")
}

func TestGenInitAndErrors(t *testing.T) {
	p := newLiveProject(t)
	r := p.must(2, "gen", "--check")
	if !strings.Contains(r.stderr, "pg-flux gen init") {
		t.Errorf("gen without a config should point to gen init:\n%s", r)
	}
	p.must(0, "gen", "init")
	r = p.must(2, "gen", "init")
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("gen init over an existing file:\n%s", r)
	}
	p.must(0, "gen", "init", "--force")

	p.write("schema/t.sql", "CREATE EXTENSION citext;\nCREATE TABLE people (id int PRIMARY KEY, nick citext);\n")
	r = p.must(2, "gen", "--lang", "go", "--out", "out/go")
	for _, want := range []string{"column public.people.nick: type public.citext", "- type: public.citext"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("unmapped type error lacks %q:\n%s", want, r)
		}
	}
	p.write(".pg-flux-codegen.yml", "outputs:\n  - lang: go\n    out: out/go\n  - lang: python\n    out: out/py\noverrides:\n  - type: citext\n    go: string\n    python: str\n")
	p.must(0, "gen")
	p.must(0, "gen", "--check")
	// --from-live reads the live database, which has no table yet: the
	// files are stale against it.
	r = p.must(1, "gen", "--check", "--from-live")
	if !strings.Contains(r.stdout, "stale: out/go/dbgen.go") {
		t.Errorf("gen --check --from-live:\n%s", r)
	}
	// Once live has the schema, its types are the source's: --from-live
	// reads what code generation needs, which plain inspections skip.
	p.db.Exec(t, "CREATE EXTENSION citext; CREATE TABLE people (id int PRIMARY KEY, nick citext)")
	p.must(0, "gen", "--check", "--from-live")

	// With a config, --lang picks among its outputs: a language it has no
	// output for is an error rather than a default directory beside them.
	r = p.must(2, "gen", "--lang", "rust")
	if !strings.Contains(r.stderr, "--lang rust: ") || !strings.Contains(r.stderr, "has no rust output") || !strings.Contains(r.stderr, "--out DIR") {
		t.Errorf("gen --lang of a language the config lacks:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "gen", "rust")); err == nil {
		t.Error("gen --lang rust wrote gen/rust")
	}

	// --out with a language the config has several outputs of says so,
	// rather than that the directory "is used by another output".
	p.write(".pg-flux-codegen.yml", "outputs:\n  - lang: go\n    out: out/go\n  - lang: go\n    out: out/go_sql\n    null_style: sql\n    package: dbsql\noverrides:\n  - type: citext\n    go: string\n")
	r = p.must(2, "gen", "--lang", "go", "--out", "elsewhere")
	if !strings.Contains(r.stderr, "has 2 go outputs (out/go, out/go_sql)") || strings.Contains(r.stderr, "used by another output") {
		t.Errorf("gen --lang go --out with two go outputs:\n%s", r)
	}
}

// TestGenAbsoluteOut: an absolute output directory, on the command line
// or in the config, is written where it says, not under the project
// directory, and is then current; relative ones stay relative to the
// project directory.
func TestGenAbsoluteOut(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE placed (id int PRIMARY KEY);\n")
	out := filepath.Join(t.TempDir(), "web", "db")
	r := p.must(0, "gen", "--lang", "ts", "--out", out)
	file := filepath.Join(out, "database.ts")
	if !strings.Contains(r.stdout, "Wrote "+file) {
		t.Errorf("gen does not name the file it wrote, %s:\n%s", file, r)
	}
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), "placed") {
		t.Fatalf("gen --out %s: %v\n%s", out, err, b)
	}
	if _, err := os.Stat(filepath.Join(p.dir, out)); err == nil {
		t.Errorf("gen also wrote under the project directory: %s", filepath.Join(p.dir, out))
	}
	p.must(0, "gen", "--lang", "ts", "--out", out, "--check")

	other := filepath.Join(t.TempDir(), "py")
	p.write(".pg-flux-codegen.yml", "outputs:\n  - lang: python\n    out: "+other+"\n  - lang: go\n    out: gen/go\n")
	r = p.must(0, "gen")
	for _, f := range []string{filepath.Join(other, "models.py"), filepath.Join(p.dir, "gen", "go", "dbgen.go")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("gen with the config did not write %s: %v\n%s", f, err, r)
		}
	}
	// A file of ours the source no longer generates is found there too.
	stale := filepath.Join(other, "old.py")
	if err := os.WriteFile(stale, []byte("# Code generated by pg-flux. DO NOT EDIT.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = p.must(1, "gen", "--check")
	if !strings.Contains(r.stdout, stale) {
		t.Errorf("gen --check does not report %s:\n%s", stale, r)
	}
}

// TestGenNamesFilesFromTheWorkingDirectory: with --config in another
// directory, the outputs are under that project directory, and gen names
// them as the user can open them from where it ran.
func TestGenNamesFilesFromTheWorkingDirectory(t *testing.T) {
	p := newLiveProject(t)
	p.write("proj/schema/a.sql", "CREATE TABLE elsewhere (id int PRIMARY KEY);\n")
	p.write("proj/.pg-flux.yml", "schema_dir: schema\n")
	p.write("proj/.pg-flux-codegen.yml", "outputs:\n  - lang: ts\n    out: gen/ts\n")
	want := filepath.Join("proj", "gen", "ts", "database.ts")
	r := p.must(0, "gen", "--config", "proj/.pg-flux.yml")
	if !strings.Contains(r.stdout, "Wrote "+want+"\n") {
		t.Errorf("gen does not name %s:\n%s", want, r)
	}
	if _, err := os.Stat(filepath.Join(p.dir, want)); err != nil {
		t.Fatal(err)
	}
	p.write("proj/schema/a.sql", "CREATE TABLE elsewhere (id int PRIMARY KEY, note text);\n")
	r = p.must(1, "gen", "--config", "proj/.pg-flux.yml", "--check")
	if !strings.Contains(r.stdout, "stale: "+want+"\n") {
		t.Errorf("gen --check does not name %s:\n%s", want, r)
	}
}

// TestGenNestedOutputs: an output directory inside another's holds that
// output's files, not the outer one's orphans; generating or checking one
// language leaves the other's files alone. Nor is a file of another
// language an orphan: with no config, --out . does not take every
// generated file of the project for its own.
func TestGenNestedOutputs(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\n")
	p.write(".pg-flux-codegen.yml", "outputs:\n  - lang: python\n    out: gen\n  - lang: ts\n    out: gen/ts\n")
	p.must(0, "gen")
	tsFile := filepath.Join(p.dir, "gen", "ts", "database.ts")
	pyFile := filepath.Join(p.dir, "gen", "models.py")
	for _, f := range []string{tsFile, pyFile} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("gen did not write %s: %v", f, err)
		}
	}
	p.must(0, "gen", "--check")
	for _, args := range [][]string{{"gen", "--check", "--lang", "python"}, {"gen", "--check", "--lang", "ts"}} {
		if r := p.run(args...); r.code != 0 || strings.Contains(r.stdout, "orphaned") {
			t.Errorf("pg-flux %s: want exit 0, nothing orphaned\n%s", strings.Join(args, " "), r)
		}
	}
	if r := p.run("gen", "--lang", "python"); r.code != 0 || strings.Contains(r.stdout, "Removed") {
		t.Errorf("gen --lang python removed a file:\n%s", r)
	}
	if _, err := os.Stat(tsFile); err != nil {
		t.Errorf("gen --lang python removed the ts output's file: %v", err)
	}
	// A file of ours the python output no longer generates is still its
	// orphan, beside the nested directory.
	stale := filepath.Join("gen", "old.py")
	p.write(stale, "# generated by pg-flux; do not edit. Schema sha256:0\n")
	r := p.must(1, "gen", "--check", "--lang", "python")
	if !strings.Contains(r.stdout, "orphaned: "+stale+"\n") || strings.Count(r.stdout, "orphaned") != 1 {
		t.Errorf("gen --check --lang python: want %s orphaned, only it:\n%s", stale, r)
	}
	p.must(0, "gen")
	if _, err := os.Stat(filepath.Join(p.dir, stale)); !os.IsNotExist(err) {
		t.Errorf("orphan %s not removed: %v", stale, err)
	}

	// No config: the Go output in the project directory itself owns
	// generated Go files only.
	if err := os.Remove(filepath.Join(p.dir, ".pg-flux-codegen.yml")); err != nil {
		t.Fatal(err)
	}
	if r := p.run("gen", "--lang", "go", "--out", "."); r.code != 0 || strings.Contains(r.stdout, "Removed") {
		t.Errorf("gen --lang go --out . removed a file:\n%s", r)
	}
	for _, f := range []string{tsFile, pyFile} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("gen --lang go --out . removed %s: %v", f, err)
		}
	}
	p.must(0, "gen", "--check", "--lang", "go", "--out", ".")
}
