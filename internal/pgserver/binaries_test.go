package pgserver

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFindBinariesErrorNamesMajorPlacesAndFetchCommand(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("PGFLUX_PG_CACHE", cache)
	t.Setenv("PGFLUX_PG_BINDIR", "")
	_, err := FindBinaries(9)
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("got %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"PostgreSQL 9", "/usr/lib/postgresql/*/bin", filepath.Join(cache, "*", "bin"), "fetch them with: scripts/fetch-postgres.sh 9"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Binaries in the cache are found by major; the newest release first.
func TestFindBinariesInCache(t *testing.T) {
	sys, err := FindBinaries(0)
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	t.Setenv("PGFLUX_PG_CACHE", cache)
	t.Setenv("PGFLUX_PG_BINDIR", "")
	t.Setenv("PATH", "/nonexistent")
	for _, v := range []string{"9.6", "10.2", "10.10"} {
		bin := filepath.Join(cache, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, tool := range []string{"postgres", "initdb"} {
			if err := os.Symlink(sys.Tool(tool), filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, dirs := searchPlaces()
	var cached []string
	for _, d := range dirs {
		if strings.HasPrefix(d, cache) {
			cached = append(cached, filepath.Base(filepath.Dir(d)))
		}
	}
	if want := []string{"10.10", "10.2", "9.6"}; !slices.Equal(cached, want) {
		t.Errorf("cache searched in order %v, want %v", cached, want)
	}
}
