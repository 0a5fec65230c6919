// Package corpus holds the round-trip tests over the real-world schema
// corpus (shared/corpus beside the repository, or $PGFLUX_CORPUS_DIR): each
// schema is loaded into a live database, dumped, and the dump must declare
// the live database exactly and recreate it from nothing. It has no code of
// its own; Dir locates the corpus for tests and benchmarks.
package corpus

import (
	"errors"
	"os"
	"path/filepath"
)

// EnvDir names the environment variable that points at the corpus when it
// is not beside the repository.
const EnvDir = "PGFLUX_CORPUS_DIR"

// Dir returns the corpus directory: $PGFLUX_CORPUS_DIR, else the first
// shared/corpus found walking up from start (the repository clone lives
// beside shared/).
func Dir(start string) (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return "", errors.New(EnvDir + "=" + d + " is not a directory")
		}
		return d, nil
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no shared/corpus directory beside the repository (walked up from " + start + "); set " + EnvDir)
		}
		dir = parent
	}
}

// Schemas lists the corpus schemas: the subdirectories that hold a
// schema.sql.
func Schemas(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "schema.sql")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
