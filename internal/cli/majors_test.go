package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// The embedded dev database runs on the binaries of the tests' major (the
// matrix sets PGFLUX_PG_BINDIR to them).
func TestEmbeddedDevDatabaseMajor(t *testing.T) {
	dir := project(t)
	t.Cleanup(func() { os.RemoveAll(filepath.Join(os.TempDir(), devDirKey(dir))) })
	writeFile(t, filepath.Join(dir, "schema", "users.sql"), usersV1)
	r := pgflux(t, "plan", "--verbose")
	if want := fmt.Sprintf("(PostgreSQL %d.", pgtest.Major()); r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("plan against the embedded dev database: want %q in stderr:\n%s", want, r)
	}
}

// A dev database created by a major whose binaries are gone says so, and
// how to get them.
func TestDevBinariesOfDataMajor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "PG_VERSION"), []byte("9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := devBinaries(data, ".pg-flux/dev")
	var ue *userError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want a userError", err)
	}
	if !strings.Contains(ue.msg, "the embedded dev database in .pg-flux/dev was created by PostgreSQL 9") ||
		!strings.Contains(ue.hint, "scripts/fetch-postgres.sh 9") {
		t.Errorf("got %s\nhint: %s", ue.msg, ue.hint)
	}
}
