package source

import (
	"encoding/json"
	"sort"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Name is a schema-qualified name the source uses; Name is "" for a schema
// named on its own (CREATE EXTENSION … WITH SCHEMA s).
type Name struct {
	Schema string
	Name   string
}

// nameLists are the parse-tree fields that hold a possibly qualified name
// as a list of strings: types, functions, operators' and collations' names,
// the objects of COMMENT, GRANT, ALTER … (column references are left out:
// "t.c" is a table and a column, not a schema and a name).
var nameLists = map[string]bool{
	"names": true, "funcname": true, "objname": true, "collname": true,
	"domainname": true, "defnames": true, "typeName": true,
}

// QualifiedNames returns the schema-qualified names the statements use:
// relations, types, functions, collations, and the schemas extensions are
// created in, sorted and without repeats. A scratch database needs what they
// name when it is outside the managed schemas (see catalog.Outside).
func (s *Set) QualifiedNames() []Name {
	seen := map[Name]bool{}
	for _, st := range s.Statements {
		if st.Unparsed || st.IsSetting() {
			continue
		}
		js, err := pg_query.ParseToJSON(st.SQL)
		if err != nil {
			continue
		}
		var tree any
		if json.Unmarshal([]byte(js), &tree) != nil {
			continue
		}
		collectNames(tree, "", seen)
	}
	out := make([]Name, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func collectNames(v any, key string, seen map[Name]bool) {
	switch v := v.(type) {
	case map[string]any:
		// A RangeVar, wrapped or not (a field of that type is not).
		if s, _ := v["schemaname"].(string); s != "" {
			if r, _ := v["relname"].(string); r != "" {
				seen[Name{s, r}] = true
			}
		}
		if x, ok := v["CreateExtensionStmt"].(map[string]any); ok {
			for _, o := range asList(x["options"]) {
				d, _ := asMap(o)["DefElem"].(map[string]any)
				if d["defname"] == "schema" {
					if s := stringNode(d["arg"]); s != "" {
						seen[Name{Schema: s}] = true
					}
				}
			}
		}
		for k, x := range v {
			collectNames(x, k, seen)
		}
	case []any:
		if nameLists[key] && len(v) == 2 {
			s, n := stringNode(v[0]), stringNode(v[1])
			if s != "" && n != "" {
				seen[Name{s, n}] = true
			}
		}
		for _, x := range v {
			collectNames(x, key, seen)
		}
	}
}

// stringNode is the value of a String parse node, else "".
func stringNode(v any) string {
	s, _ := asMap(asMap(v)["String"])["sval"].(string)
	return s
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
