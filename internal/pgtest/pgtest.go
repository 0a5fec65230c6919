// Package pgtest gives tests real PostgreSQL databases: one throwaway
// cluster per test binary (or the server named by $PGFLUX_TEST_DSN), and a
// fresh, empty database per test.
//
// $PGFLUX_TEST_PG_MAJOR picks the major of the test cluster (its binaries
// are found as pg-flux finds them, e.g. fetched by scripts/fetch-postgres.sh)
// and makes every server the tests start use those binaries;
// $PGFLUX_PG_BINDIR picks a binaries directory directly. The cluster's data
// and the shadow servers' state live on /dev/shm when it is a roomy tmpfs
// (see memoryDir).
//
// A test binary that uses it calls Run from TestMain. When no server can be
// found Run fails the whole binary: a test that needs PostgreSQL never passes
// by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// server is the one server of this test binary, set by Run.
var server struct {
	admin    string // DSN of a maintenance database on the server
	major    int
	fsyncOff bool // for pgserver.CopyStrategy
	cluster  *pgserver.Cluster
}

// Run starts the test server, runs the tests and stops the server. Use it
// as os.Exit(pgtest.Run(m)) in TestMain.
func Run(m *testing.M) int {
	ctx := context.Background()
	scratch := memoryDir(memoryRoot) // "" is the temporary directory
	if scratch != "" {
		defer os.RemoveAll(scratch)
	}
	// The shared shadow server and the desired-model cache of commands run
	// in-process live in directories of this test binary, removed (and the
	// server stopped) when it ends: nothing leaks between test binaries or
	// into the user's cache.
	prefix := "pgflux-test-state-"
	if scratch != "" {
		prefix = "state-" // scratch names the binary; the socket path stays short
	}
	state, err := os.MkdirTemp(scratch, prefix)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	defer os.RemoveAll(state)
	if err := os.Chmod(state, 0o755); err != nil { // the server user must reach the shadow directory
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	os.Setenv("PGFLUX_SHADOW_DIR", filepath.Join(state, "shadow"))
	os.Setenv("PGFLUX_CACHE_DIR", filepath.Join(state, "cache"))
	defer pgserver.StopShared(context.Background(), filepath.Join(state, "shadow"))
	if env := os.Getenv("PGFLUX_TEST_DSN"); env != "" {
		server.admin = env
	} else {
		major := 0
		if v := os.Getenv("PGFLUX_TEST_PG_MAJOR"); v != "" {
			fmt.Sscan(v, &major)
		}
		bin, err := pgserver.FindBinaries(major)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: these tests need PostgreSQL: %v\n"+
				"Install PostgreSQL server binaries (e.g. apt-get install postgresql), set PGFLUX_PG_BINDIR, or set PGFLUX_TEST_DSN.\n", err)
			return 1
		}
		if major != 0 && os.Getenv("PGFLUX_PG_BINDIR") == "" {
			// Every server the tests start (shadow, embedded dev database)
			// runs from the chosen major too.
			os.Setenv("PGFLUX_PG_BINDIR", bin.Dir)
		}
		fmt.Fprintf(os.Stderr, "pgtest: PostgreSQL %s from %s\n", bin.Version, bin.Dir)
		opts := pgserver.Options{Binaries: bin}
		if scratch != "" {
			opts.DataDir = filepath.Join(scratch, "data") // removed with scratch
		}
		c, err := pgserver.Start(ctx, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: start PostgreSQL: %v\n", err)
			return 1
		}
		defer c.Stop()
		server.cluster = c
		server.admin = c.DSN("postgres")
	}
	conn, err := pgx.Connect(ctx, server.admin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: connect to test server: %s\n", dsn.Redact(err.Error()))
		return 1
	}
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000, current_setting('fsync') = 'off'").Scan(&server.major, &server.fsyncOff); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	conn.Close(ctx)
	return m.Run()
}

// ServerDSN returns a connection string for the maintenance database of the
// test server; pg-flux may create and drop databases there (it is what a
// user passes as --shadow-dsn).
func ServerDSN(t testing.TB) string {
	t.Helper()
	if server.admin == "" {
		t.Fatal("pgtest: no test server; call pgtest.Run from TestMain")
	}
	return server.admin
}

// Major returns the test server's major version.
func Major() int { return server.major }

// Cluster returns the throwaway cluster of this binary, or nil when the
// tests run against $PGFLUX_TEST_DSN.
func Cluster() *pgserver.Cluster { return server.cluster }

// Database is a fresh database created for one test and dropped after it.
type Database struct {
	Name string
	DSN  string
}

// NewDatabase creates an empty database for the test and drops it when the
// test ends.
func NewDatabase(t testing.TB) *Database {
	t.Helper()
	ctx := context.Background()
	admin := ServerDSN(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "pgflux_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE template0" + pgserver.CopyStrategy(server.major, server.fsyncOff)
	if _, err := conn.Exec(ctx, create); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	d, err := dsn.WithDatabase(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { DropDatabase(admin, name) })
	return &Database{Name: name, DSN: d}
}

// DropDatabase drops a database, ending any sessions still connected to it.
func DropDatabase(admin, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// Exec runs SQL (one or more statements) in the database and fails the test
// on error.
func (d *Database) Exec(t testing.TB, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.DSN)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: exec: %v\n%s", err, sql)
	}
}

// Connect opens a connection to the database, closed when the test ends.
func (d *Database) Connect(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.DSN)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
