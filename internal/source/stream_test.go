package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pg-flux/pg-flux/internal/corpus"
)

// largeFile is SQL of about size bytes whose statements are of every shape
// that ends in odd places: semicolons in bodies, empty statements,
// comments before and after, a last statement without a semicolon.
func largeFile(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, "-- table %d\nCREATE TABLE t%d (id bigint PRIMARY KEY, note text DEFAULT ';');\n", i, i)
		case 1:
			fmt.Fprintf(&b, "CREATE FUNCTION f%d() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\n", i)
		case 2:
			fmt.Fprintf(&b, "CREATE FUNCTION g%d() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;\n", i)
		case 3:
			fmt.Fprintf(&b, "; ;\n/* between; */ CREATE INDEX i%d ON t%d (note);", i, i-3)
		case 4:
			fmt.Fprintf(&b, "\nCOMMENT ON TABLE t%d IS 'a; b';\n", i-4)
		case 5:
			fmt.Fprintf(&b, "CREATE VIEW v%d AS SELECT id FROM t%d   ;\n", i, i-5)
		}
	}
	b.WriteString("CREATE TABLE last_one (x int) -- no semicolon")
	return b.String()
}

func TestParseEachHandsOnLargeFilesInPieces(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a_large.sql": largeFile(5 * pieceBytes),
		"b_small.sql": "CREATE TABLE small (x int);\nCREATE INDEX ON small (x);\n",
		"c_large.sql": strings.ReplaceAll(largeFile(3*pieceBytes), "t", "u"),
	}
	for name, sql := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := read.Parse(0)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var runs [][]Statement
	set, err := read.ParseEach(0, func(run []Statement) {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, run)
	})
	if err != nil {
		t.Fatal(err)
	}
	var handed []Statement
	for _, run := range runs {
		handed = append(handed, run...)
	}
	if !reflect.DeepEqual(handed, set.Statements) {
		t.Fatalf("the runs handed on (%d statements) are not the set's %d statements in order", len(handed), len(set.Statements))
	}
	if !reflect.DeepEqual(set.Statements, whole.Statements) {
		t.Fatal("parsed in pieces, the statements differ from the file parsed whole")
	}
	// Five pieces and more of the first file, three of the last, one of
	// the small one.
	if len(runs) < 8 {
		t.Fatalf("%d runs handed on, want the large files in pieces", len(runs))
	}
	for _, st := range set.Statements {
		if strings.HasPrefix(st.SQL, ";") || strings.HasSuffix(st.SQL, ";") || strings.HasPrefix(st.SQL, "--") {
			t.Fatalf("statement text %q keeps a terminator or comment", st.SQL)
		}
	}
	last := set.Statements[len(set.Statements)-1]
	if last.SQL != strings.ReplaceAll("CREATE TABLE last_one (x int)", "t", "u") || last.File != filepath.Join(dir, "c_large.sql") {
		t.Fatalf("last statement %q in %s", last.SQL, last.File)
	}
}

func TestPieceCuts(t *testing.T) {
	sql := largeFile(4 * pieceBytes)
	cuts := pieceCuts(sql, pieceBytes)
	if len(cuts) < 4 || cuts[0] != 0 || cuts[len(cuts)-1] != len(sql) {
		t.Fatalf("cuts %v of %d bytes", cuts, len(sql))
	}
	// Every piece parses to whole statements: together, the file's.
	var n int
	for i := 0; i+1 < len(cuts); i++ {
		stmts, err := Split("piece.sql", sql[cuts[i]:cuts[i+1]])
		if err != nil {
			t.Fatalf("piece %d: %v", i, err)
		}
		n += len(stmts)
	}
	all, err := Split("file.sql", sql)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(all) {
		t.Fatalf("pieces hold %d statements, the file %d", n, len(all))
	}
	if pieceCuts("CREATE TABLE a (x int);", pieceBytes) != nil {
		t.Fatal("a small file is cut")
	}
	if pieceCuts(sql+"\nCREATE TABLE broken (;", pieceBytes) != nil {
		t.Fatal("a file that does not parse is cut")
	}
}

func TestParseEachWithProblemsHandsOnOnlyCheckedStatements(t *testing.T) {
	dir := t.TempDir()
	sql := largeFile(3*pieceBytes) + ";\nINSERT INTO t0 VALUES (1);\n"
	if err := os.WriteFile(filepath.Join(dir, "s.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	read, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	var handed []Statement
	if _, err := read.ParseEach(0, func(run []Statement) { handed = append(handed, run...) }); err == nil {
		t.Fatal("INSERT accepted")
	}
	for _, st := range handed {
		if st.Node == "InsertStmt" {
			t.Fatal("a rejected statement was handed on")
		}
	}
}

func TestStream(t *testing.T) {
	s := NewStream()
	ctx := context.Background()
	got := make(chan []Statement)
	go func() {
		var all []Statement
		for n := 0; ; {
			stmts, more := s.Next(ctx, n)
			if !more {
				break
			}
			all = append(all, stmts...)
			n += len(stmts)
		}
		got <- all
	}()
	a, b := Statement{SQL: "a"}, Statement{SQL: "b"}
	s.Add([]Statement{a})
	s.Add([]Statement{b})
	want := &Set{Statements: []Statement{a, b}}
	s.End(want, nil)
	if all := <-got; !reflect.DeepEqual(all, want.Statements) {
		t.Fatalf("read %v", all)
	}
	if set, err := s.Wait(); set != want || err != nil {
		t.Fatalf("Wait: %v, %v", set, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, more := NewStream().Next(cancelled, 0); more {
		t.Fatal("Next went on after its context was done")
	}
}

func TestPiecesParseTheCorpusAsTheWholeFile(t *testing.T) {
	dir, err := corpus.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := corpus.Schemas(dir)
	if err != nil || len(schemas) == 0 {
		t.Fatalf("no corpus schemas in %s: %v", dir, err)
	}
	cut := 0
	for _, name := range schemas {
		path := filepath.Join(dir, name, "schema.sql")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := split(path, string(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var handed []Statement
		out, pieces, err := splitEach(path, string(data), func(run []parsed) {
			for _, p := range run {
				handed = append(handed, p.Statement)
			}
		})
		if err != nil {
			t.Fatalf("%s in pieces: %v", name, err)
		}
		if len(data) >= 2*pieceBytes && !pieces {
			t.Errorf("%s (%d bytes) was not parsed in pieces", name, len(data))
		}
		if !pieces {
			continue
		}
		cut++
		if len(handed) != len(whole) || len(out) != len(whole) {
			t.Fatalf("%s: %d statements handed on, %d returned, %d parsed whole", name, len(handed), len(out), len(whole))
		}
		for i := range whole {
			if handed[i] != whole[i].Statement || out[i].Statement != whole[i].Statement {
				t.Fatalf("%s: statement %d differs in pieces:\n%+v\nwhole:\n%+v", name, i, handed[i], whole[i].Statement)
			}
		}
	}
	if cut == 0 {
		t.Fatal("no corpus schema was large enough to be cut")
	}
}

// A large file's syntax trees are released as its pieces are handed on:
// they take many times the text, and once kept to the end they were most
// of a 1,000-table plan's memory while the source loaded.
func TestPiecesDoNotHoldTheirSyntaxTrees(t *testing.T) {
	sql := largeFile(40 * pieceBytes)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := heap()
	var most uint64
	pieces := 0
	out, ok := splitPieces("f.sql", sql, pieceBytes, func(run []parsed) {
		for _, p := range run {
			if p.node == nil {
				t.Fatalf("statement at line %d handed on without its syntax tree", p.Line)
			}
		}
		pieces++
		if h := heap(); h > base {
			most = max(most, h-base)
		}
	})
	if !ok || pieces < 20 {
		t.Fatalf("parsed in %d pieces (ok %v), want the file cut in 40", pieces, ok)
	}
	for _, p := range out {
		if p.node != nil {
			t.Fatalf("statement at line %d kept its syntax tree after it was handed on", p.Line)
		}
	}
	// The statements themselves (kind, position, and the slice they grow
	// in) are three or four times the file; with every piece's tree kept,
	// the heap grew by nearly thirty times it.
	if limit := uint64(8 * len(sql)); most > limit {
		t.Errorf("heap grew by %d kB while parsing %d kB of SQL, want under %d kB", most>>10, len(sql)>>10, limit>>10)
	}
	runtime.KeepAlive(out)
}
