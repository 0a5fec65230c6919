package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const partitionedM = `CREATE TABLE m (ts date NOT NULL, v int) PARTITION BY RANGE (ts);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`

// pullAndCheck runs pull and checks that source, with the pulled file in
// it, declares live exactly: verify and drift are clean and generate has
// nothing to do. It returns the pulled file.
func pullAndCheck(t *testing.T, p *liveProject) string {
	t.Helper()
	p.must(1, "verify", "--strict")
	r := p.must(0, "pull")
	if r.stderr != "" {
		t.Errorf("pull:\n%s", r)
	}
	files, _ := filepath.Glob(filepath.Join(p.dir, "schema", "_pulled", "*.sql"))
	if len(files) != 1 {
		t.Fatalf("pulled files: %v", files)
	}
	b, _ := os.ReadFile(files[0])
	content := string(b)
	if r := p.run("verify", "--strict"); r.code != 0 {
		t.Errorf("verify after pull:\n%s\n--- pulled ---\n%s", r, content)
	}
	if r := p.run("drift", "--strict"); r.code != 0 {
		t.Errorf("drift after pull:\n%s\n--- pulled ---\n%s", r, content)
	}
	if r := p.must(0, "migrate", "generate"); r.stdout != "No changes: live database already matches source; no migration written.\n" {
		t.Errorf("generate after pull:\n%s\n--- pulled ---\n%s", r, content)
	}
	return content
}

// TestPullPartitionedIndex: an index made on a partitioned table by hand
// (CREATE INDEX on the parent builds and attaches one per partition) is
// pulled with its partitions' indexes, not as the bare ON ONLY index
// pg_get_indexdef spells, which would leave the partitions unindexed and
// the index invalid.
func TestPullPartitionedIndex(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/tables/m.sql", partitionedM)
	p.must(0, "migrate", "generate", "--label", "init")
	p.must(0, "migrate", "apply")
	p.db.Exec(t, `
CREATE INDEX m_v ON m (v);
-- A partition index named by hand.
CREATE INDEX m_vts ON ONLY m (v, ts);
CREATE INDEX m1_by_hand ON m1 (v, ts);
ALTER INDEX m_vts ATTACH PARTITION m1_by_hand;
`)
	content := pullAndCheck(t, p)
	for _, want := range []string{
		// PostgreSQL names the partitions' indexes as live has them.
		"CREATE INDEX m_v ON public.m USING btree (v);\n",
		// It would not: as dump writes it.
		"CREATE INDEX m_vts ON ONLY public.m USING btree (v, ts);\nCREATE INDEX m1_by_hand ON public.m1 USING btree (v, ts);\nALTER INDEX public.m_vts ATTACH PARTITION public.m1_by_hand;\n",
	} {
		if !strings.Contains(content, want) {
			t.Errorf("pulled file lacks %q:\n%s", want, content)
		}
	}
}

// TestPullPartitionOfIndexedTable: partitions added by hand to a table with
// an index get an index attached to it, which the pulled partition must
// name as live does.
func TestPullPartitionOfIndexedTable(t *testing.T) {
	p := newLiveProject(t)
	p.write("schema/tables/m.sql", partitionedM+"CREATE INDEX m_v ON m (v);\n")
	p.must(0, "migrate", "generate", "--label", "init")
	p.must(0, "migrate", "apply")
	p.db.Exec(t, `
CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE TABLE m3 (ts date NOT NULL, v int);
CREATE INDEX m3_by_hand ON m3 (v);
ALTER TABLE m ATTACH PARTITION m3 FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
`)
	content := pullAndCheck(t, p)
	if !strings.Contains(content, "ALTER INDEX public.m3_v_idx RENAME TO m3_by_hand;\n") || strings.Contains(content, "m2_v_idx") {
		t.Errorf("pulled file:\n%s", content)
	}
}
