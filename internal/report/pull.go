package report

import (
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/pg-flux/pg-flux/internal/model"
)

// NothingToPull is printed by pull when verify would be clean.
const NothingToPull = "pull: nothing to pull — every live object is declared in source."

// Pulled is one undeclared live object and the SQL that declares it.
type Pulled struct {
	Object model.ObjectID
	SQL    []string // complete statements, each ending in ";"
}

// PullFile writes the pulled objects as a source file: a header that says
// where the file came from and what to do with it, then each object's SQL
// under a comment naming it. The file is valid source as it stands.
func PullFile(w io.Writer, objs []Pulled, at time.Time, schemaDir string) error {
	ew := &errWriter{w: w}
	dir := filepath.ToSlash(filepath.Clean(schemaDir))
	ew.printf("-- pg-flux pull, %s\n", at.UTC().Format("2006-01-02 15:04:05 UTC"))
	ew.printf("-- Objects in the live database that no file under %s/ declares.\n", dir)
	ew.printf("-- Review each statement, move it into the appropriate file under %s/,\n", dir)
	ew.printf("-- commit, and delete this file.\n")
	for _, o := range objs {
		ew.printf("\n-- %s\n", o.Object.String())
		for _, s := range o.SQL {
			s = strings.TrimSpace(s)
			if !strings.HasSuffix(s, ";") {
				s += ";"
			}
			ew.printf("%s\n", s)
		}
	}
	return ew.err
}

// PullWritten writes the line that confirms a pull:
// "Wrote 1 object(s) to ./schema/_pulled/20260520_103245_pulled.sql".
func PullWritten(w io.Writer, n int, path string) error {
	ew := &errWriter{w: w}
	ew.printf("Wrote %d object(s) to %s\n", n, displayPath(filepath.ToSlash(path)))
	return ew.err
}
