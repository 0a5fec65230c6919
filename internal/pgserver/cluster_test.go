package pgserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartQueryStop(t *testing.T) {
	bin := binaries(t)
	ctx := context.Background()
	start := time.Now()
	c, err := Start(ctx, Options{Binaries: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("started PostgreSQL %s in %v", bin.Version, time.Since(start))
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var fsync, listen, segment string
	if err := conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('listen_addresses'), current_setting('wal_segment_size')").Scan(&fsync, &listen, &segment); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if fsync != "off" || listen != "" {
		t.Errorf("fsync=%q listen_addresses=%q, want off and empty", fsync, listen)
	}
	if segment != "1MB" { // a smaller data directory to copy
		t.Errorf("wal_segment_size=%q, want 1MB", segment)
	}
	data := filepath.Dir(c.dataDir)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("throwaway data directory %s left behind", data)
	}
}

func TestPersistentDataDirSurvivesRestart(t *testing.T) {
	bin := binaries(t)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	data := filepath.Join(dir, "data")
	for i, stmt := range []string{"CREATE TABLE kept (id int)", "SELECT 1 FROM kept"} {
		c, err := Start(ctx, Options{Binaries: bin, DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Errorf("run %d: %v", i, err)
		}
		conn.Close(ctx)
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopyStrategy(t *testing.T) {
	for _, c := range []struct {
		major    int
		fsyncOff bool
		want     string
	}{
		{14, true, ""}, // a file copy is the only way
		{15, true, " STRATEGY FILE_COPY"},
		{18, true, " STRATEGY FILE_COPY"},
		{15, false, ""}, // checkpoints with fsync cost more than the WAL
	} {
		if got := CopyStrategy(c.major, c.fsyncOff); got != c.want {
			t.Errorf("CopyStrategy(%d, %v) = %q, want %q", c.major, c.fsyncOff, got, c.want)
		}
	}
}

// binaries are the PostgreSQL binaries the tests run; a machine without
// them fails the test.
func binaries(t *testing.T) Binaries {
	t.Helper()
	bin, err := FindBinaries(0)
	if err != nil {
		t.Fatalf("PostgreSQL binaries are required: %v", err)
	}
	return bin
}
