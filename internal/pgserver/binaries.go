// Package pgserver finds PostgreSQL server binaries and runs throwaway
// clusters from them: the shadow database, the embedded dev database and the
// test servers. Clusters listen on a unix socket in a private directory only,
// run with fsync off, and run as an unprivileged user when pg-flux runs as
// root, because PostgreSQL refuses to run as root.
package pgserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Binaries is a directory holding initdb and postgres of one major version.
type Binaries struct {
	Dir     string
	Major   int
	Version string // e.g. "15.18"
}

// ErrNoBinaries is returned when no usable PostgreSQL binaries were found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found")

// FetchCommand is the command that downloads the server binaries of a major
// into the cache FindBinaries searches.
func FetchCommand(major int) string {
	m := "<major>"
	if major != 0 {
		m = strconv.Itoa(major)
	}
	return "scripts/fetch-postgres.sh " + m
}

// SystemCache is where scripts/fetch-postgres.sh puts binaries when run as
// root: the server then runs as an unprivileged user, who cannot enter
// root's home directory and so not its cache.
const SystemCache = "/var/cache/pg-flux/pg"

// CacheRoots are the directories holding downloaded majors, one
// <version>/bin each: $PGFLUX_PG_CACHE when set, else the user's
// <cache>/pg-flux/pg and SystemCache.
func CacheRoots() []string {
	if d := os.Getenv("PGFLUX_PG_CACHE"); d != "" {
		return []string{d}
	}
	var roots []string
	if cache, err := CacheDir(); err == nil {
		roots = append(roots, filepath.Join(cache, "pg"))
	}
	return append(roots, SystemCache)
}

// searchPlaces lists the places binaries are looked for, in order:
// $PGFLUX_PG_BINDIR, `pg_config --bindir`, PATH, /usr/lib/postgresql/*/bin
// and pg-flux's own cache of downloaded majors (newest release first). Each
// place is a pattern as shown to the user and the directories it matched.
func searchPlaces(pr *probes) (places []string, dirs []string) {
	if d := os.Getenv("PGFLUX_PG_BINDIR"); d != "" {
		places = append(places, "$PGFLUX_PG_BINDIR ("+d+")")
		dirs = append(dirs, d)
	}
	places = append(places, "pg_config --bindir")
	if path, err := exec.LookPath("pg_config"); err == nil {
		// Debian's pg_config answers for the newest major installed.
		if out, err := pr.output(path, []string{"--bindir"}, "/usr/lib/postgresql"); err == nil {
			dirs = append(dirs, strings.TrimSpace(out))
		}
	}
	places = append(places, "PATH")
	if p, err := exec.LookPath("postgres"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	places = append(places, "/usr/lib/postgresql/*/bin")
	system, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sortVersionsDesc(system)
	dirs = append(dirs, system...)
	for _, root := range CacheRoots() {
		places = append(places, filepath.Join(root, "*", "bin"))
		cached, _ := filepath.Glob(filepath.Join(root, "*", "bin"))
		sortVersionsDesc(cached)
		dirs = append(dirs, cached...)
	}
	return places, dirs
}

// sortVersionsDesc orders directories named by version (…/14.23/bin,
// …/9.6/bin) newest first, comparing the numbers, not the text.
func sortVersionsDesc(dirs []string) {
	key := func(dir string) []int {
		var n []int
		for _, f := range strings.Split(filepath.Base(filepath.Dir(dir)), ".") {
			v, err := strconv.Atoi(f)
			if err != nil {
				break
			}
			n = append(n, v)
		}
		return n
	}
	sort.SliceStable(dirs, func(i, j int) bool {
		a, b := key(dirs[i]), key(dirs[j])
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return dirs[i] > dirs[j]
	})
}

// CacheDir is pg-flux's directory under the user's cache directory.
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "pg-flux"), nil
}

// FindBinaries returns the first binaries of the given major version, or of
// any version when major is 0. When there are none, the error names the
// major, the places searched and the command that fetches them.
func FindBinaries(major int) (Binaries, error) {
	seen := map[string]bool{}
	var found []string
	pr := loadProbes()
	defer pr.save()
	places, dirs := searchPlaces(pr)
	for _, dir := range dirs {
		if dir == "" || seen[dir] {
			continue
		}
		seen[dir] = true
		b, err := inspectDir(pr, dir)
		if err != nil {
			continue
		}
		found = append(found, fmt.Sprintf("%s (PostgreSQL %d)", dir, b.Major))
		if major == 0 || b.Major == major {
			return b, nil
		}
	}
	want := "any version"
	if major != 0 {
		want = fmt.Sprintf("PostgreSQL %d", major)
	}
	msg := fmt.Sprintf("%v for %s (searched %s)", ErrNoBinaries, want, strings.Join(places, ", "))
	if len(found) > 0 {
		msg += "; found only " + strings.Join(found, ", ")
	}
	msg += "; fetch them with: " + FetchCommand(major)
	return Binaries{}, notFoundError(msg)
}

// notFoundError is ErrNoBinaries with the details of one search.
type notFoundError string

func (e notFoundError) Error() string        { return string(e) }
func (e notFoundError) Is(target error) bool { return target == ErrNoBinaries }

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

func inspectDir(pr *probes, dir string) (Binaries, error) {
	for _, tool := range []string{"postgres", "initdb"} {
		if fi, err := os.Stat(filepath.Join(dir, tool)); err != nil || fi.IsDir() {
			return Binaries{}, fmt.Errorf("%s: no %s", dir, tool)
		}
	}
	out, err := pr.output(filepath.Join(dir, "postgres"), []string{"--version"})
	if err != nil {
		return Binaries{}, fmt.Errorf("%s/postgres --version: %w", dir, err)
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return Binaries{}, fmt.Errorf("%s/postgres --version: unexpected output %q", dir, out)
	}
	major, _ := strconv.Atoi(m[1])
	v := m[1]
	if m[2] != "" {
		v += "." + m[2]
	}
	return Binaries{Dir: dir, Major: major, Version: v}, nil
}

// Tool returns the path of one of the binaries (pg_dump, psql, …).
func (b Binaries) Tool(name string) string { return filepath.Join(b.Dir, name) }
