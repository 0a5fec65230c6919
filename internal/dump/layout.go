package dump

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Layout is how a dump lays its objects out as files.
type Layout string

// Layouts.
const (
	// PerKind writes one file per object under a directory per kind:
	// tables/<schema>.<name>.sql (with its indexes, constraints, triggers,
	// policies, comments and grants), views/, functions/, types/,
	// sequences/, and _global/ for schemas, extensions, servers,
	// publications, event triggers and default privileges (one file per
	// kind; 1_schemas.sql, 2_extensions.sql and 3_servers.sql first, in
	// the order they are created).
	PerKind Layout = "per-kind"
	// Flat writes everything to schema.sql, in dependency order.
	Flat Layout = "flat"
)

// ParseLayout checks a --layout value.
func ParseLayout(s string) (Layout, error) {
	switch Layout(s) {
	case PerKind, Flat:
		return Layout(s), nil
	}
	return "", fmt.Errorf("invalid layout %q (use per-kind or flat)", s)
}

// File is one file of a dump.
type File struct {
	// Path is relative to the dump directory, with forward slashes.
	Path    string
	Objects []Object
}

// Files lays the objects out. Files are ordered by path, the order the
// source loader reads them in; objects within a file keep plan order.
func Files(objs []Object, layout Layout) []File {
	var preamble []Object
	for _, o := range objs {
		if o.Preamble() && !containsAll(preamble, o.SQL) {
			preamble = append(preamble, Object{SQL: o.SQL})
		}
	}
	if layout == Flat {
		var rest []Object
		for _, o := range objs {
			if !o.Preamble() {
				rest = append(rest, o)
			}
		}
		return []File{{Path: "schema.sql", Objects: append(preamble, planOrder(rest)...)}}
	}
	byPath := map[string]*File{}
	taken := map[string]string{} // case-folded path → path, for case-insensitive file systems
	var paths []string
	for _, o := range objs {
		if o.Preamble() {
			continue
		}
		p := filePath(o)
		if byPath[p] == nil {
			fold := strings.ToLower(p)
			for n := 2; taken[fold] != "" && taken[fold] != p; n++ {
				// Two names that differ only in case ("Users", "users").
				p = strings.TrimSuffix(filePath(o), ".sql") + fmt.Sprintf("~%d.sql", n)
				fold = strings.ToLower(p)
			}
			if byPath[p] == nil {
				taken[fold] = p
				byPath[p] = &File{Path: p}
				if o.Dir == "functions" {
					// Routine bodies may refer to what later files create.
					byPath[p].Objects = append(byPath[p].Objects, preamble...)
				}
				paths = append(paths, p)
			}
		}
		byPath[p].Objects = append(byPath[p].Objects, o)
	}
	sort.Strings(paths)
	out := make([]File, len(paths))
	for i, p := range paths {
		out[i] = *byPath[p]
	}
	return out
}

// Grouped returns the objects as one file, each object's statements
// together (a table with its indexes and foreign keys), preambles first:
// for reading, as inspect prints it; the flat layout keeps plan order
// instead, so that it loads in one pass.
func Grouped(objs []Object) File {
	var pre, rest []Object
	for _, o := range objs {
		switch {
		case !o.Preamble():
			rest = append(rest, o)
		case !containsAll(pre, o.SQL):
			pre = append(pre, Object{SQL: o.SQL})
		}
	}
	return File{Path: "schema.sql", Objects: append(pre, rest...)}
}

func containsAll(objs []Object, sql []string) bool {
	for _, s := range sql {
		found := false
		for _, o := range objs {
			for _, t := range o.SQL {
				found = found || t == s
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// planOrder puts every statement back in plan order, so a single file
// loads in one pass: objects come as runs of consecutive statements (a
// table's foreign keys follow all tables).
func planOrder(objs []Object) []Object {
	type stmt struct {
		pos int
		obj int
		sql string
	}
	var all []stmt
	for i, o := range objs {
		for j, s := range o.SQL {
			p := j
			if j < len(o.pos) {
				p = o.pos[j]
			}
			all = append(all, stmt{p, i, s})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	var out []Object
	for _, s := range all {
		if n := len(out); n > 0 && out[n-1].ID == objs[s.obj].ID {
			out[n-1].SQL = append(out[n-1].SQL, s.sql)
			continue
		}
		out = append(out, Object{ID: objs[s.obj].ID, Dir: objs[s.obj].Dir, SQL: []string{s.sql}})
	}
	return out
}

// globalOrder numbers the _global/ files that what follows them uses, so
// that they load in path order: schemas, then the extensions created in
// them (and the foreign-data wrappers those create), then the servers of
// those wrappers. Other _global/ files keep the plain kind name and sort
// after these.
var globalOrder = map[model.Kind]string{
	model.KindSchema:    "1_",
	model.KindExtension: "2_",
	model.KindServer:    "3_",
}

// filePath is the per-kind path of an object's file.
func filePath(o Object) string {
	if o.Dir == GlobalDir {
		return o.Dir + "/" + globalOrder[o.ID.Kind] + plural(fileSafe(strings.ReplaceAll(string(o.ID.Kind), " ", "_"))) + ".sql"
	}
	name := o.ID.Name
	if o.ID.Schema != "" {
		name = o.ID.Schema + "." + name
	}
	return o.Dir + "/" + fileName(name) + ".sql"
}

// plural names a file or directory after a kind: schemas, extensions,
// default_privileges.
func plural(s string) string {
	if strings.HasSuffix(s, "s") {
		return s
	}
	return s + "s"
}

// maxNameBytes keeps file names well under the usual 255-byte limit.
const maxNameBytes = 200

// fileName makes a name safe as a file name; the result is unique for each
// name up to case.
func fileName(name string) string {
	s := fileSafe(name)
	if len(s) > maxNameBytes {
		sum := sha256.Sum256([]byte(name))
		cut := maxNameBytes - 17
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "~" + hex.EncodeToString(sum[:8])
	}
	return s
}

// fileSafe percent-encodes what cannot or should not appear in a file name
// (path separators, quotes, spaces, control and shell-special characters,
// a leading dot, and "%" itself), keeping letters of every script: the
// encoding is reversible, so distinct names give distinct files.
func fileSafe(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '.' && i == 0:
		case r == utf8.RuneError:
		case r == '_', r == '-', r == '.', r == '+', r == '=', r == ',', r == '@':
			b.WriteRune(r)
			continue
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
			continue
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Render returns a file's contents: each object under a comment naming it.
func Render(f File) []byte {
	var b strings.Builder
	for i, o := range f.Objects {
		if i > 0 {
			b.WriteString("\n")
		}
		if !o.Preamble() {
			b.WriteString("-- " + describe(o.ID) + "\n")
		}
		for _, s := range o.SQL {
			b.WriteString(s)
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}

// describe names an object for a comment; comments end at a newline, so
// names with line breaks are flattened.
func describe(id model.ObjectID) string {
	switch {
	case id.Kind == model.KindFunction && id.Sub == "":
		// A file holds every overload of the name.
		return "function " + id.QName().String()
	case id.Kind == model.KindOperator:
		// Operator names are symbols, never quoted.
		return "operator " + model.QuoteIdent(id.Schema) + "." + id.Name
	case id.Kind == model.KindCast:
		return id.String()
	}
	if id.Schema == "" && id.Kind != model.KindSchema {
		// Not in a schema: an event trigger, default privileges for every
		// schema.
		return strings.NewReplacer("\n", " ", "\r", " ").Replace(string(id.Kind) + " " + model.QuoteIdent(id.Name))
	}
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(id.String())
}

// NotEmptyError is returned by Write for a directory that already holds
// files, without force.
type NotEmptyError struct{ Dir string }

func (e *NotEmptyError) Error() string { return fmt.Sprintf("%s is not empty", e.Dir) }

// Write writes the files under dir. A directory that already holds files is
// refused unless force is set; with force, the *.sql files already under dir
// are removed first, since the dump declares the whole schema and a file
// left over from an earlier dump would declare an object twice.
func Write(dir string, files []File, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot read %s: %w", dir, err)
	case len(entries) > 0 && !force:
		return &NotEmptyError{Dir: dir}
	case len(entries) > 0:
		if err := removeSQL(dir); err != nil {
			return err
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, Render(f), 0o644); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
	}
	return nil
}

func removeSQL(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != dir {
			return filepath.SkipDir // .git and the like
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".sql") {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("cannot remove %s: %w", path, err)
			}
		}
		return nil
	})
}
