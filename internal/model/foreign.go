package model

import (
	"sort"
	"strings"
)

// KindServer is a foreign server; Schema is empty: servers belong to the
// database.
const KindServer Kind = "server"

// KindForeignTable names a foreign table where privileges and owners are
// concerned; structurally it is a table (Table.Foreign).
const KindForeignTable Kind = "foreign table"

// ForeignServer is a foreign server (CREATE SERVER). Like publications,
// every server of the database is read, except those of extensions.
type ForeignServer struct {
	Name string `json:"name"`
	// Wrapper is the name of its foreign-data wrapper.
	Wrapper string `json:"wrapper"`
	Type    string `json:"type,omitempty"`
	Version string `json:"version,omitempty"`
	// Options are srvoptions ("host=db1"), sorted.
	Options []string `json:"options,omitempty"`
	Comment string   `json:"comment,omitempty"`
	// WrapperExtension is the extension that creates the wrapper; "" for a
	// wrapper created by hand, which pg-flux does not manage.
	WrapperExtension string `json:"-"`
}

// ID returns the server's ObjectID.
func (s *ForeignServer) ID() ObjectID { return ObjectID{Kind: KindServer, Name: s.Name} }

// ForeignTable is what makes a table a foreign table: its server and
// options (ftoptions, sorted).
type ForeignTable struct {
	Server  string   `json:"server"`
	Options []string `json:"options,omitempty"`
}

// SortedServers returns the foreign servers ordered by name.
func (m *Model) SortedServers() []*ForeignServer {
	out := make([]*ForeignServer, 0, len(m.Servers))
	for _, s := range m.Servers {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FDWOptions spells options as stored in the catalog ("key=value") the
// way OPTIONS ( … ) takes them: key 'value', ….
func FDWOptions(opts []string) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		parts[i] = QuoteIdent(k) + " " + QuoteLiteral(v)
	}
	return strings.Join(parts, ", ")
}
