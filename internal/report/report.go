// Package report renders what pg-flux found for people and for programs:
// drift (source vs live), verify (objects live has and source lacks), pull
// (those objects as a source file) and plan (the statements to run and their
// hazards). Each renderer is a pure function of its input writing to an
// io.Writer, in text or JSON; the text forms are the product's contract and
// are tested to the letter.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// errWriter remembers the first write error so renderers can write freely
// and report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// ObjectName is how an object is named in lists: public.users,
// public.users.email, users_pkey on public.users, "Sales".
func ObjectName(id model.ObjectID) string {
	switch id.Kind {
	case model.KindSchema:
		return model.QuoteIdent(id.Name)
	case model.KindColumn:
		return id.QName().String() + "." + model.QuoteIdent(id.Sub)
	case model.KindConstraint, model.KindTrigger, model.KindRule:
		return model.QuoteIdent(id.Sub) + " on " + id.QName().String()
	case model.KindFunction:
		return id.QName().String() + "(" + id.Sub + ")"
	case model.KindEventTrigger, model.KindServer:
		return model.QuoteIdent(id.Name)
	case model.KindCast:
		return "(" + id.Name + ")"
	}
	if id.Sub != "" {
		return id.QName().String() + "." + model.QuoteIdent(id.Sub)
	}
	return id.QName().String()
}

// kindHeadings are the group headings of verify, in display order.
var kindHeadings = []struct {
	kind    model.Kind
	heading string
}{
	{model.KindTable, "Tables"},
	{model.KindColumn, "Columns"},
	{model.KindConstraint, "Constraints"},
	{model.KindIndex, "Indexes"},
	{model.KindSequence, "Sequences"},
	{model.KindView, "Views"},
	{model.KindEnum, "Types"},
	{model.KindSchema, "Schemas"},
}

// heading returns the plural heading of a kind; kinds added to the model
// later get a plain English plural and sort after the known ones.
func heading(k model.Kind) (string, int) {
	for i, h := range kindHeadings {
		if h.kind == k {
			return h.heading, i
		}
	}
	s := string(k)
	if s == "" {
		return "Objects", len(kindHeadings)
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	switch {
	case strings.HasSuffix(s, "x"), strings.HasSuffix(s, "s"):
		s += "es"
	case strings.HasSuffix(s, "y"):
		s = s[:len(s)-1] + "ies"
	default:
		s += "s"
	}
	return s, len(kindHeadings)
}

// displayPath prefixes a relative path with ./ so that it reads as a path:
// ./schema/_pulled/20260520_103245_pulled.sql.
func displayPath(p string) string {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}

// sortedChanges returns the changes ordered for display: by heading order,
// then name. diff.Compare is already deterministic; this groups by kind.
func sortedChanges(changes []diff.Change) []diff.Change {
	out := append([]diff.Change(nil), changes...)
	sort.SliceStable(out, func(i, j int) bool {
		_, oi := heading(out[i].Object.Kind)
		_, oj := heading(out[j].Object.Kind)
		if oi != oj {
			return oi < oj
		}
		if out[i].Object.Kind != out[j].Object.Kind {
			return out[i].Object.Kind < out[j].Object.Kind
		}
		return ObjectName(out[i].Object) < ObjectName(out[j].Object)
	})
	return out
}
