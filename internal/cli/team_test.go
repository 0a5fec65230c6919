package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// generated runs migrate generate and returns the path of the file written.
func (p *liveProject) generate(label string, extra ...string) string {
	p.t.Helper()
	r := p.must(0, append([]string{"migrate", "generate", "--label", label}, extra...)...)
	m := generatedRE.FindStringSubmatch(r.stdout)
	if m == nil {
		p.t.Fatalf("generate --label %s: no file written\n%s", label, r)
	}
	return m[1]
}

func (p *liveProject) read(rel string) string {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, rel))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// header returns the value of a "-- key:" header line of a migration file.
func header(content, key string) string {
	for _, l := range strings.Split(content, "\n") {
		if v, ok := strings.CutPrefix(l, "-- "+key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestGenerateTwiceWithoutApplying(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
	fa := p.generate("a")
	p.write("schema/b.sql", "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n")
	r := p.must(0, "plan")
	if strings.Contains(r.stdout, "CREATE TABLE public.a") || !strings.Contains(r.stdout, "CREATE TABLE public.b") {
		t.Errorf("plan on top of the pending file repeats it or misses b:\n%s", r)
	}
	fb := p.generate("b")
	a, b := p.read(fa), p.read(fb)
	if strings.Contains(b, "CREATE TABLE public.a") {
		t.Errorf("the second file repeats the first:\n%s", b)
	}
	if header(b, "baseline") != header(a, "result") {
		t.Errorf("second baseline %s is not the first's result %s", header(b, "baseline"), header(a, "result"))
	}
	r = p.must(0, "migrate", "apply")
	if strings.Count(r.stdout, "Applied ") != 2 {
		t.Errorf("apply:\n%s", r)
	}
	p.must(0, "drift", "--strict")

	// A pending file that no longer replays is named, with the fix.
	p.write("schema/c.sql", "CREATE TABLE c (id int);\n")
	fc := p.generate("c")
	writeFile(t, filepath.Join(p.dir, fc), p.read(fc)+"\nALTER TABLE nope ADD COLUMN x int;\n")
	p.write("schema/d.sql", "CREATE TABLE d (id int);\n")
	r = p.must(1, "migrate", "generate", "--label", "d")
	if !strings.Contains(r.stderr, "pending migration "+filepath.Base(fc)+" no longer replays") || !strings.Contains(r.stderr, "pg-flux migrate rebase") {
		t.Errorf("broken pending file:\n%s", r)
	}
	if len(p.migrations()) != 3 {
		t.Errorf("a refused generate wrote a file")
	}
	r = p.must(0, "migrate", "generate", "--label", "d", "--ignore-pending", "--dry-run")
	if !strings.Contains(r.stdout, "CREATE TABLE public.c") {
		t.Errorf("--ignore-pending plans against live alone:\n%s", r)
	}
}
