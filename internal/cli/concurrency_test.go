package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// concurrencySchema is the source: the state after the three files of
// concurrencyFiles. Objects are named after the transaction that makes
// them, so a report can be checked for a half-made group.
const concurrencySchema = `CREATE TABLE t (id int, grp3_note text);
CREATE INDEX grp2_t_id_idx ON t (id);
CREATE TABLE grp1_t1 (id int);
CREATE INDEX grp1_t1_idx ON grp1_t1 (id);
CREATE TABLE grp1_t2 (id int);
CREATE INDEX grp1_t2_idx ON grp1_t2 (id);
CREATE TABLE grp1_t3 (id int);
CREATE INDEX grp1_t3_idx ON grp1_t3 (id);
CREATE TABLE grp3_t1 (id int);
CREATE TABLE grp3_t2 (id int);
`

// concurrencyFiles: one transactional group (made slow by a sleep between
// its statements), a concurrent index build, another group. Every CREATE
// and ADD fails when it runs twice.
var concurrencyFiles = map[string]string{
	"migrations/001_grp1.sql": "CREATE TABLE grp1_t1 (id int);\nCREATE INDEX grp1_t1_idx ON grp1_t1 (id);\nCREATE TABLE grp1_t2 (id int);\nSELECT pg_sleep(3);\n" +
		"CREATE INDEX grp1_t2_idx ON grp1_t2 (id);\nCREATE TABLE grp1_t3 (id int);\nCREATE INDEX grp1_t3_idx ON grp1_t3 (id);\n",
	"migrations/002_grp2.sql": "SELECT pg_sleep(2);\nCREATE INDEX CONCURRENTLY grp2_t_id_idx ON t (id);\n",
	"migrations/003_grp3.sql": "CREATE TABLE grp3_t1 (id int);\nSELECT pg_sleep(3);\nCREATE TABLE grp3_t2 (id int);\nALTER TABLE t ADD COLUMN grp3_note text;\n",
}

// groupCounts counts, per group prefix, the drift differences that name
// an object of that group.
func groupCounts(t *testing.T, out []byte) map[string]int {
	t.Helper()
	var d struct {
		Differences []struct{ Op, Kind, Object string }
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("drift --format json: %v\n%s", err, out)
	}
	n := map[string]int{}
	for _, c := range d.Differences {
		for _, g := range []string{"grp1_", "grp2_", "grp3_"} {
			if strings.Contains(c.Object, g) {
				n[g]++
			}
		}
	}
	return n
}

// TestConcurrentApplies starts ten `migrate apply` processes at once on one
// database while `drift`, `verify` and `plan` run over and over beside
// them. Each file is applied by exactly one process (the others wait for
// the advisory lock, then find nothing to do, or give up with the lock
// error), nothing runs twice, and every drift report shows each
// transaction either wholly applied or not at all.
func TestConcurrentApplies(t *testing.T) {
	bin := buildBinary(t)
	p := newLiveProject(t)
	p.db.Exec(t, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 20000)")
	p.write("schema/schema.sql", concurrencySchema)
	for name, sql := range concurrencyFiles {
		p.write(name, sql)
	}
	child := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, p.global...)...)
		cmd.Dir = p.dir
		return cmd
	}
	// Before anything runs: every group is pending.
	before, err := child("drift", "--format", "json").Output()
	if err != nil && !isExit(err, 1) {
		t.Fatalf("drift before: %v\n%s", err, before)
	}
	full := groupCounts(t, before)
	for _, g := range []string{"grp1_", "grp2_", "grp3_"} {
		if full[g] == 0 {
			t.Fatalf("drift before the applies names no %s object:\n%s", g, before)
		}
	}

	const appliers = 10
	type outcome struct {
		err error
		out string
	}
	outcomes := make([]outcome, appliers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range appliers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out, err := child("migrate", "apply").CombinedOutput()
			outcomes[i] = outcome{err, string(out)}
		}()
	}
	done := make(chan struct{})
	var reports, inconsistent []string
	var rmu sync.Mutex
	var readers sync.WaitGroup
	for _, args := range [][]string{{"drift", "--format", "json"}, {"drift", "--format", "json"}, {"drift", "--format", "json"}, {"verify"}, {"plan"}} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var stdout, stderr bytes.Buffer
				cmd := child(args...)
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				rmu.Lock()
				if err != nil && !isExit(err, 1) {
					inconsistent = append(inconsistent, fmt.Sprintf("%s: %v\n%s%s", args[0], err, stdout.String(), stderr.String()))
				} else if args[0] == "drift" {
					n := groupCounts(t, stdout.Bytes())
					reports = append(reports, fmt.Sprint(n))
					for g, c := range n {
						if c != 0 && c != full[g] {
							inconsistent = append(inconsistent, fmt.Sprintf("drift saw %d of the %d differences of %s:\n%s", c, full[g], g, stdout.String()))
						}
					}
					if n["grp3_"] == 0 && n["grp1_"] != 0 {
						inconsistent = append(inconsistent, "drift saw group 3 applied before group 1:\n"+stdout.String())
					}
				}
				rmu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(done)
	readers.Wait()

	applied := map[string]int{}
	waited := 0
	for i, o := range outcomes {
		switch {
		case o.err == nil:
		case isExit(o.err, 1) && strings.Contains(o.out, "could not acquire migration advisory lock (another apply in progress)"):
			waited++
		default:
			t.Errorf("apply %d: %v\n%s", i, o.err, o.out)
		}
		for _, line := range strings.Split(o.out, "\n") {
			if name, ok := strings.CutPrefix(line, "Applied "); ok {
				applied[strings.Fields(name)[0]]++
			}
		}
	}
	for _, f := range []string{"001_grp1.sql", "002_grp2.sql", "003_grp3.sql"} {
		if applied[f] != 1 {
			t.Errorf("%s applied by %d process(es), want exactly 1", f, applied[f])
		}
	}
	if v := p.scalar("SELECT string_agg(filename || ' ' || status || ' ' || steps_done || '/' || steps_total, ', ' ORDER BY filename) FROM _pgflux.migrations"); v != "001_grp1.sql applied 7/7, 002_grp2.sql applied 2/2, 003_grp3.sql applied 4/4" {
		t.Errorf("ledger: %s", v)
	}
	p.must(0, "drift", "--strict")
	for _, s := range inconsistent {
		t.Error(s)
	}
	t.Logf("%d applies (%d gave up on the lock), %d drift reports during them: %s", appliers, waited, len(reports), strings.Join(reports, " "))
	if len(reports) < 4 {
		t.Errorf("only %d drift report(s) ran during the applies", len(reports))
	}
}

func isExit(err error, code int) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == code
}
