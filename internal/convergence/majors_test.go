package convergence

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// hashesFile records the baseline hash of each case's after.sql, inspected
// on PostgreSQL 15. The same structure must hash the same on every major
// where PostgreSQL's own deparse is the same; majorHashes lists where it is
// not.
const hashesFile = "../../testdata/majors/hashes.txt"

// hashedCases are the cases whose after.sql is hashed on every major: the
// kinds whose catalog changed between 14 and 18.
var hashedCases = regexp.MustCompile(`^(realistic_|identity_|pk_|check_|column_set_not_null|column_not_null|inherit_|part_|ty_collation|ty_statistics|pub_|generated_|unique_|index_unique|exclude_)`)

// majorHashes are the hashes that differ on a major, with why: case →
// major → hash. docs/majors.md lists the differences.
var majorHashes = map[string]map[int]string{
	// From PostgreSQL 16, pg_get_viewdef no longer qualifies the columns
	// of a view over a single table ("SELECT id" for "SELECT documents.id").
	"realistic_soft_delete": fromMajor(16, "sha256:441373b41d1f22f5f00e6a656e70462e46c86ff30d8057e0be8a31e429bae4f8"),
	// From PostgreSQL 17 a partition's column shares its parent's
	// identity (attidentity is set on the partition too).
	"part_attach_table_parent_identity": fromMajor(17, "sha256:bc2f45849b9f829978b924987112f9df947ed1f55fd158afd555b6004d98a0ba"),
}

// fromMajor is a hash for every major from first to the newest supported.
func fromMajor(first int, hash string) map[int]string {
	m := map[int]string{}
	for major := first; major <= 18; major++ {
		m[major] = hash
	}
	return m
}

// TestHashSameOnEveryMajor loads each hashed case's after.sql, inspects it
// and requires the hash recorded in testdata/majors/hashes.txt:
// PGFLUX_UPDATE_HASHES=1 rewrites the file (on PostgreSQL 15).
func TestHashSameOnEveryMajor(t *testing.T) {
	cases, err := LoadCases(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := readHashes(hashesFile)
	if err != nil && os.Getenv("PGFLUX_UPDATE_HASHES") == "" {
		t.Fatal(err)
	}
	major := pgtest.Major()
	got := map[string]string{}
	var gated []string
	for _, c := range cases {
		if !hashedCases.MatchString(c.Name) {
			continue
		}
		if c.Gated(15) != "" {
			// Recorded on 15: a case that does not run there has no hash.
			gated = append(gated, c.Name)
			continue
		}
		if why := c.Gated(major); why != "" {
			gated = append(gated, c.Name)
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			db := pgtest.NewDatabase(t)
			if major < 15 {
				// PostgreSQL 14 creates the public schema with CREATE
				// granted to PUBLIC; 15 does not (docs/majors.md).
				db.Exec(t, "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
			}
			createRoles(t, db, c.Roles)
			loadLive(t, db, c.After)
			m, err := catalog.Inspect(t.Context(), db.Connect(t), catalog.Options{Schemas: c.Schemas, Owners: c.ManageOwners})
			if err != nil {
				t.Fatalf("inspect: %v", err)
			}
			got[c.Name] = m.Hash()
		})
	}
	if len(gated) > 0 {
		t.Logf("gated on PostgreSQL %d or 15 (not hashed): %s", major, strings.Join(gated, ", "))
	}
	if os.Getenv("PGFLUX_UPDATE_HASHES") != "" {
		if major != 15 {
			t.Fatalf("record the hashes on PostgreSQL 15, not %d", major)
		}
		if err := writeHashes(hashesFile, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	for name, h := range got {
		w, ok := want[name]
		if m := majorHashes[name]; m != nil && m[major] != "" {
			w = m[major]
		}
		switch {
		case !ok:
			t.Errorf("%s: no recorded hash in %s (PGFLUX_UPDATE_HASHES=1 on PostgreSQL 15 records it)", name, hashesFile)
		case h != w:
			t.Errorf("%s: hash on PostgreSQL %d is %s, on 15 %s: the same structure must hash the same on every major", name, major, h, w)
		}
	}
}

func readHashes(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s: malformed line %q", path, line)
		}
		out[name] = strings.TrimSpace(hash)
	}
	return out, sc.Err()
}

func writeHashes(path string, hashes map[string]string) error {
	names := make([]string, 0, len(hashes))
	for n := range hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# Baseline hash of each case's after.sql on PostgreSQL 15 (TestHashSameOnEveryMajor).\n")
	for _, n := range names {
		b.WriteString(n + " " + hashes[n] + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
