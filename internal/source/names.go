package source

import (
	"cmp"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
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
var nameLists = map[protoreflect.Name]bool{
	"names": true, "funcname": true, "objname": true, "collname": true,
	"domainname": true, "defnames": true, "type_name": true,
}

// QualifiedNames returns the schema-qualified names the statements use:
// relations, types, functions, collations, and the schemas extensions are
// created in, sorted and without repeats. A scratch database needs what they
// name when it is outside the managed schemas (see catalog.Outside). They
// are collected when the files are parsed (Load), from the same trees.
func (s *Set) QualifiedNames() []Name {
	out := make([]Name, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Name) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// collectNames adds the qualified names a parsed statement uses to seen.
func collectNames(node *pg_query.Node, seen map[Name]bool) {
	if node != nil {
		walkNames(node.ProtoReflect(), seen)
	}
}

func walkNames(m protoreflect.Message, seen map[Name]bool) {
	switch x := m.Interface().(type) {
	case *pg_query.RangeVar:
		if x.Schemaname != "" && x.Relname != "" {
			seen[Name{x.Schemaname, x.Relname}] = true
		}
	case *pg_query.CreateExtensionStmt:
		for _, o := range x.Options {
			if d := o.GetDefElem(); d != nil && d.Defname == "schema" {
				if s := d.Arg.GetString_().GetSval(); s != "" {
					seen[Name{Schema: s}] = true
				}
			}
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil || fd.IsMap():
		case fd.IsList():
			l := v.List()
			if nameLists[fd.Name()] && l.Len() == 2 {
				s := l.Get(0).Message().Interface().(*pg_query.Node).GetString_().GetSval()
				n := l.Get(1).Message().Interface().(*pg_query.Node).GetString_().GetSval()
				if s != "" && n != "" {
					seen[Name{s, n}] = true
				}
			}
			for i := range l.Len() {
				walkNames(l.Get(i).Message(), seen)
			}
		default:
			walkNames(v.Message(), seen)
		}
		return true
	})
}
