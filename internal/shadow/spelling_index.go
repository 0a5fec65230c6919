package shadow

import (
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// indexProbes are the spelling probes of indexes: a partial index's
// predicate or an expression column (an IN list over varchar, say) reloads
// into a tree that pg_get_indexdef prints differently. The throwaway index
// is the same definition under spellingName on the same table, so both
// texts deparse under one name and compare as they are.
func indexProbes(ref, m *model.Model) []probe {
	var out []probe
	for name, ix := range m.Indexes {
		r := ref.Indexes[name]
		if r == nil || r.Definition == ix.Definition || r.Table != ix.Table {
			continue
		}
		rd, ok1 := renameIndexDef(r.Definition, name.Name)
		md, ok2 := renameIndexDef(ix.Definition, name.Name)
		if !ok1 || !ok2 {
			continue
		}
		out = append(out, probe{
			create: "%s",
			deparse: "SELECT pg_get_indexdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" +
				" WHERE c.relname = '" + spellingName + "' AND n.nspname = $1",
			arg:  name.Schema,
			norm: func(s string) string { return s },
			ref:  rd, own: md,
			target: &ix.Definition, value: r.Definition,
		})
	}
	return out
}

// renameIndexDef is a CREATE INDEX text of pg_get_indexdef with the index
// named spellingName; false when the name is not where pg_get_indexdef
// puts it.
func renameIndexDef(def, name string) (string, bool) {
	for _, head := range []string{"CREATE INDEX ", "CREATE UNIQUE INDEX "} {
		at := head + model.QuoteIdent(name) + " ON "
		if strings.HasPrefix(def, at) {
			return head + spellingName + " ON " + def[len(at):], true
		}
	}
	return "", false
}
