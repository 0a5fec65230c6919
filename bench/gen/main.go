// Command gen measures `pg-flux gen` on the largest corpus schema
// (musicbrainz, 11 schemas) next to `pg-flux inspect --summary` on the same
// database: gen --from-live is one inspection plus generation, so the
// difference is what generating the four languages costs; plain gen also
// loads the source into the shadow. Every measurement is a child process.
//
//	go run ./bench/gen [-runs 3] [-corpus DIR]
//
// It starts its own throwaway PostgreSQL cluster and prints a Markdown
// section for BENCHMARKS.md. Times are medians.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/cli"
	"github.com/pg-flux/pg-flux/internal/corpus"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

const childEnv = "PGFLUX_BENCH_GEN_CHILD"

// config generates every language; musicbrainz uses the cube and
// earthdistance extensions, whose types need overrides.
const config = `outputs:
  - {lang: go, out: gen/go}
  - {lang: ts, out: gen/ts, validators: zod}
  - {lang: python, out: gen/python}
  - {lang: rust, out: gen/rust}
overrides:
  - {type: public.cube, go: string, ts: string, python: str, rust: "::std::string::String"}
  - {type: public.earth, go: string, ts: string, python: str, rust: "::std::string::String"}
`

func main() {
	if os.Getenv(childEnv) != "" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	runs := flag.Int("runs", 3, "repetitions of each measurement (the median is reported)")
	corpusDir := flag.String("corpus", "", "corpus directory (default: shared/corpus beside the repository, or $PGFLUX_CORPUS_DIR)")
	flag.Parse()
	if err := run(context.Background(), *runs, *corpusDir); err != nil {
		fmt.Fprintln(os.Stderr, "bench/gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, runs int, corpusDir string) error {
	if corpusDir == "" {
		var err error
		if corpusDir, err = corpus.Dir("."); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bin, err := pgserver.FindBinaries(0)
	if err != nil {
		return err
	}
	cluster, err := pgserver.Start(ctx, pgserver.Options{Binaries: bin})
	if err != nil {
		return err
	}
	defer cluster.Stop()
	admin, err := pgx.Connect(ctx, cluster.DSN("postgres"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	var version string
	if err := admin.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE musicbrainz"); err != nil {
		return err
	}
	mbDir := filepath.Join(corpusDir, "musicbrainz")
	load := exec.CommandContext(ctx, bin.Tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cluster.DSN("musicbrainz"), "-f", filepath.Join(mbDir, "schema.sql"))
	load.Env = append(os.Environ(), "PGOPTIONS=-c client_min_messages=warning")
	if out, err := load.CombinedOutput(); err != nil {
		return fmt.Errorf("load musicbrainz: %w\n%s", err, out)
	}
	mb, err := pgx.Connect(ctx, cluster.DSN("musicbrainz"))
	if err != nil {
		return err
	}
	var schemas []string
	rows, err := mb.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 1`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		schemas = append(schemas, s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	mb.Close(ctx)

	proj, err := os.MkdirTemp("", "pgflux-bench-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(proj)
	if err := os.WriteFile(filepath.Join(proj, ".pg-flux-codegen.yml"), []byte(config), 0o644); err != nil {
		return err
	}
	common := []string{"--db", cluster.DSN("musicbrainz"), "--schemas", strings.Join(schemas, ","), "--shadow-dsn", cluster.DSN("postgres")}
	child := func(args ...string) func() *exec.Cmd {
		return func() *exec.Cmd {
			cmd := exec.CommandContext(ctx, self, append(args, common...)...)
			cmd.Dir = proj
			cmd.Env = append(os.Environ(), childEnv+"=1")
			return cmd
		}
	}
	type row struct {
		what string
		t    time.Duration
	}
	var res []row
	for _, m := range []struct {
		what string
		args []string
	}{
		{"`pg-flux inspect --summary`", []string{"inspect", "--summary"}},
		{"`pg-flux gen --from-live --lang go`", []string{"gen", "--from-live", "--lang", "go"}},
		{"`pg-flux gen --from-live --lang ts` (with zod)", []string{"gen", "--from-live", "--lang", "ts"}},
		{"`pg-flux gen --from-live --lang python`", []string{"gen", "--from-live", "--lang", "python"}},
		{"`pg-flux gen --from-live --lang rust`", []string{"gen", "--from-live", "--lang", "rust"}},
		{"`pg-flux gen --from-live` (all four)", []string{"gen", "--from-live"}},
		{"`pg-flux gen --from-live --check` (all four, current)", []string{"gen", "--from-live", "--check"}},
		{"`pg-flux gen` (all four, source loaded into the shadow)", []string{"gen", "--schema", mbDir}},
	} {
		t, err := measure(runs, child(m.args...))
		if err != nil {
			return err
		}
		res = append(res, row{m.what, t})
	}
	var lines, bytes int
	filepath.Walk(filepath.Join(proj, "gen"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			data, _ := os.ReadFile(p)
			lines += strings.Count(string(data), "\n")
			bytes += len(data)
		}
		return nil
	})

	fmt.Printf("## Code generation (`bench/gen`)\n\n")
	fmt.Printf("```sh\ngo run ./bench/gen -runs %d\n```\n\n", runs)
	fmt.Printf("musicbrainz (corpus), %d schemas, as a live database; each measurement is a child process,\n", len(schemas))
	fmt.Printf("median of %d runs. The four outputs are %d lines (%d KiB).\n", runs, lines, bytes/1024)
	fmt.Printf("Machine: %d CPUs, %s memory, PostgreSQL %s, Go %s, %s.\n\n", runtime.NumCPU(), memTotal(), version, strings.TrimPrefix(runtime.Version(), "go"), time.Now().UTC().Format("2006-01-02"))
	fmt.Printf("| measurement | median time | ratio |\n|---|---|---|\n")
	for _, r := range res {
		fmt.Printf("| %s | %.0f ms | %.2f × inspect |\n", r.what, float64(r.t)/float64(time.Millisecond), float64(r.t)/float64(res[0].t))
	}
	return nil
}

// measure runs a command runs times and returns the median wall time.
func measure(runs int, mk func() *exec.Cmd) (time.Duration, error) {
	var times []time.Duration
	for i := 0; i < runs; i++ {
		cmd := mk()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		times = append(times, time.Since(start))
		if err != nil {
			return 0, fmt.Errorf("%s: %w\n%s%s", strings.Join(cmd.Args, " "), err, stdout.String(), stderr.String())
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times[len(times)/2], nil
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 4096))
	for sc.Scan() {
		var kb int64
		if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}
