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

// candidateDirs lists the places binaries are looked for, in order:
// $PGFLUX_PG_BINDIR, `pg_config --bindir`, PATH, /usr/lib/postgresql/*/bin
// and pg-flux's own cache of downloaded majors.
func candidateDirs() []string {
	var dirs []string
	if d := os.Getenv("PGFLUX_PG_BINDIR"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	system, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(system)))
	dirs = append(dirs, system...)
	if cache, err := CacheDir(); err == nil {
		cached, _ := filepath.Glob(filepath.Join(cache, "pg", "*", "bin"))
		sort.Sort(sort.Reverse(sort.StringSlice(cached)))
		dirs = append(dirs, cached...)
	}
	return dirs
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
// any version when major is 0.
func FindBinaries(major int) (Binaries, error) {
	seen := map[string]bool{}
	var found []string
	for _, dir := range candidateDirs() {
		if dir == "" || seen[dir] {
			continue
		}
		seen[dir] = true
		b, err := inspectDir(dir)
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
		want = fmt.Sprintf("major version %d", major)
	}
	msg := fmt.Sprintf("%v for %s", ErrNoBinaries, want)
	if len(found) > 0 {
		msg += "; found only " + strings.Join(found, ", ")
	}
	return Binaries{}, fmt.Errorf("%s: %w", msg, ErrNoBinaries)
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

func inspectDir(dir string) (Binaries, error) {
	for _, tool := range []string{"postgres", "initdb"} {
		if fi, err := os.Stat(filepath.Join(dir, tool)); err != nil || fi.IsDir() {
			return Binaries{}, fmt.Errorf("%s: no %s", dir, tool)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
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
