package cli

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/faults"
	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// faultSeed is $PGFLUX_FAULT_SEED, else a new seed: printed either way, so
// a failure is replayed with the seed it printed.
func faultSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("PGFLUX_FAULT_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PGFLUX_FAULT_SEED=%q: %v", v, err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// TestKillAnywhereResumeEverywhere applies generated migrations with steps
// of every isolation kind as a child process and interrupts it at random
// moments — SIGKILL, pg_terminate_backend of its sessions, a crash-restart
// of the server — re-running it until it finishes, while an application
// writes. The end state must be the last file's result hash, with no
// INVALID index, no staging constraint, each file in the ledger once and
// every committed write present. Then, in one round of each pair, it rolls
// the second file back the same way (migrate rollback interrupted and
// re-run) and checks the file's baseline hash, nothing INVALID or staged
// left, the ledger without the file (rolled back once) and every write.
// bench/soak runs the same for longer.
func TestKillAnywhereResumeEverywhere(t *testing.T) {
	bin := buildBinary(t)
	seed := faultSeed(t)
	t.Logf("seed %d (replay with PGFLUX_FAULT_SEED=%d)", seed, seed)
	ctx := context.Background()
	// A server of its own: restarting the shared one would fail other tests.
	binaries, err := pgserver.FindBinaries(pgtest.Major())
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := pgserver.Start(ctx, pgserver.Options{Binaries: binaries})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Stop()
	var log strings.Builder
	st, err := faults.Run(ctx, faults.Config{
		Bin: bin, Cluster: cluster, Seed: seed,
		Iterations: envInt(t, "PGFLUX_FAULT_ITERATIONS", 3),
		Rounds:     envInt(t, "PGFLUX_FAULT_ROUNDS", 3),
		// One round of each pair also rolls the second file back under
		// faults: bounded, as make test runs it on small machines.
		RollbackRounds: envInt(t, "PGFLUX_FAULT_ROLLBACK_ROUNDS", 1),
		MaxFaults:      3,
		Rows:           30000,
		Log:            &log,
	})
	t.Logf("run log:\n%s", log.String())
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	t.Logf("seed %d: %s", seed, st)
	for _, f := range st.Failures {
		t.Error(f)
	}
	total := 0
	for _, n := range st.Faults {
		total += n
	}
	if total == 0 {
		t.Error("no fault was injected")
	}
	if st.RollbackRounds == 0 {
		t.Error("no rollback ran under faults")
	}
}
