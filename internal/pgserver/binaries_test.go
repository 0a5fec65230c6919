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
	_, dirs := searchPlaces(&probes{entries: map[string]string{}})
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

// `postgres --version` runs once per binary: later searches take the
// version from the memo while the file is unchanged, and run it again when
// the file changes (a minor upgrade).
func TestFindBinariesRemembersVersionsUntilTheBinaryChanges(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("PGFLUX_PG_CACHE", t.TempDir())
	t.Setenv("PATH", "/nonexistent")
	bin := t.TempDir()
	t.Setenv("PGFLUX_PG_BINDIR", bin)
	runs := filepath.Join(t.TempDir(), "runs")
	write := func(version string) {
		script := "#!/bin/sh\necho run >> " + runs + "\necho 'postgres (PostgreSQL) " + version + "'\n"
		if err := os.WriteFile(filepath.Join(bin, "postgres"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("15.4")
	if err := os.WriteFile(filepath.Join(bin, "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		data, _ := os.ReadFile(runs)
		return strings.Count(string(data), "run")
	}
	for i := 0; i < 3; i++ {
		b, err := FindBinaries(15)
		if err != nil || b.Version != "15.4" || b.Dir != bin {
			t.Fatalf("search %d: %+v, %v", i, b, err)
		}
	}
	if n := count(); n != 1 {
		t.Errorf("postgres --version ran %d times for 3 searches, want 1", n)
	}
	write("15.5 (a longer version string)")
	b, err := FindBinaries(15)
	if err != nil || b.Version != "15.5" {
		t.Fatalf("after the binary changed: %+v, %v", b, err)
	}
	if n := count(); n != 2 {
		t.Errorf("postgres --version ran %d times, want 2 after the binary changed", n)
	}
}
