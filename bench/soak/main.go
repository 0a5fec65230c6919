// Command soak runs the kill/resume property test of `make test` for
// longer: generated migrations with steps of every isolation kind, applied
// by `pg-flux migrate apply` as a child process that is SIGKILLed, has its
// sessions terminated, or sees the server crash and restart at random
// moments, re-run until done, with an application writing throughout. Each
// round's end state is checked (live hash = the last file's result, no
// INVALID index, no staging constraint, each file applied once in the
// ledger, every committed write present); then the second file is rolled
// back the same way (`migrate rollback` interrupted at random moments and
// re-run while the file is still in the ledger) and the end state checked
// against the file's baseline.
//
//	go run ./bench/soak [-duration 10m] [-seed N] [-rounds 3] [-rows 50000]
//
// It builds pg-flux, starts its own throwaway PostgreSQL cluster (unix socket
// only), prints the seed first and a summary line for BENCHMARKS.md last,
// and exits 1 when any round failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pg-flux/pg-flux/internal/faults"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "keep generating new migration pairs until this much time has passed")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the schedule (changes, faults, moments)")
	rounds := flag.Int("rounds", 3, "kill/resume rounds per generated pair of files")
	rows := flag.Int("rows", 50000, "rows in each changed table")
	maxFaults := flag.Int("max-faults", 4, "most faults injected into one round")
	verbose := flag.Bool("v", false, "print every apply run")
	flag.Parse()
	if err := run(context.Background(), *duration, *seed, *rounds, *rows, *maxFaults, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "bench/soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, duration time.Duration, seed uint64, rounds, rows, maxFaults int, verbose bool) error {
	fmt.Printf("seed %d (replay with -seed %d)\n", seed, seed)
	tmp, err := os.MkdirTemp("", "pg-flux-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "pg-flux")
	build := exec.Command("go", "build", "-o", bin, "./cmd/pg-flux")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build (run from the repository root): %w", err)
	}
	binaries, err := pgserver.FindBinaries(0)
	if err != nil {
		return err
	}
	cluster, err := pgserver.Start(ctx, pgserver.Options{Binaries: binaries})
	if err != nil {
		return err
	}
	defer cluster.Stop()

	total := &faults.Stats{Faults: map[string]int{}, RollbackFaults: map[string]int{}}
	began := time.Now()
	var log *os.File
	if verbose {
		log = os.Stdout
	}
	// One pair at a time, each with its own derived seed, so the summary
	// grows while it runs and a failure names the seed that replays it.
	for i := uint64(0); time.Since(began) < duration; i++ {
		cfg := faults.Config{Bin: bin, Cluster: cluster, Seed: seed + i, Iterations: 1, Rounds: rounds, RollbackRounds: rounds, Rows: rows, MaxFaults: maxFaults}
		if log != nil {
			cfg.Log = log
		}
		st, err := faults.Run(ctx, cfg)
		if st != nil {
			add(total, st)
		}
		if err != nil {
			return err
		}
		total.Elapsed = time.Since(began)
		fmt.Printf("%s\n", total)
		for _, f := range st.Failures {
			fmt.Println("FAILURE", f)
		}
	}
	fmt.Printf("\nsummary (seed %d, Go %s, PostgreSQL %d): %s\n", seed, goVersion(), binaries.Major, total)
	if len(total.Failures) > 0 {
		return fmt.Errorf("%d failed round(s)", len(total.Failures))
	}
	return nil
}

func add(total, st *faults.Stats) {
	total.Iterations += st.Iterations
	total.Rounds += st.Rounds
	total.Runs += st.Runs
	total.Missed += st.Missed
	total.WriterRows += st.WriterRows
	total.Failures = append(total.Failures, st.Failures...)
	for k, n := range st.Faults {
		total.Faults[k] += n
	}
	total.RollbackRounds += st.RollbackRounds
	total.RollbackRuns += st.RollbackRuns
	total.RollbackSkipped += st.RollbackSkipped
	for k, n := range st.RollbackFaults {
		total.RollbackFaults[k] += n
	}
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "?"
	}
	return string(out[:len(out)-1])
}
