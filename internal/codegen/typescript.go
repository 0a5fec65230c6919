package codegen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// tsReserved are global type names a generated type must not shadow, and
// the names this generator declares itself.
var tsReserved = set("Array", "Boolean", "Date", "Error", "Function", "Map", "Number", "Object", "Partial", "Pick",
	"Omit", "Promise", "Readonly", "Record", "RegExp", "Required", "Set", "String", "Symbol", "BigInt", "Exclude",
	"Extract", "NonNullable", "ReturnType", "Json", "Database", "KyselyDatabase", "KyselyColumn", "Equals")

type tsGen struct {
	s     *Spec
	o     Output
	names map[model.QName]string
	fn    []string
	b     strings.Builder
}

func genTS(s *Spec, o Output) ([]File, error) {
	g := &tsGen{s: s, o: o, names: map[model.QName]string{}}
	n := newNamer(tsReserved)
	g.names, g.fn = claimTypeNames(s, n, false, []string{"", "Insert", "Update", "Table"}, []string{"Args", "Returns"})
	b := &g.b
	b.WriteString(headerLine("ts", s.Hash) + "\n\n")
	b.WriteString("export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];\n\n")
	for _, e := range s.Enums {
		g.doc("", "enum "+e.Name.String(), e.Comment)
		labels := make([]string, len(e.Labels))
		for i, l := range e.Labels {
			labels[i] = strconv.Quote(l)
		}
		if len(labels) == 0 {
			labels = []string{"never"}
		}
		fmt.Fprintf(b, "export type %s = %s;\n\n", g.names[e.Name], strings.Join(labels, " | "))
	}
	for _, d := range s.Domains {
		g.doc("", "domain "+d.Name.String(), d.Comment)
		fmt.Fprintf(b, "export type %s = %s;\n\n", g.names[d.Name], g.typ(d.Base, false))
	}
	for _, r := range s.Composites {
		g.object(g.names[r.Name], "composite type "+r.Name.String(), r.Comment, r.Fields, rowField)
	}
	for _, r := range s.Tables {
		name := g.names[r.Name]
		g.object(name, r.Kind+" "+r.Name.String(), r.Comment, r.Fields, rowField)
		g.object(name+"Insert", "an insert into "+r.Name.String(), "", r.Fields, insertField)
		g.object(name+"Update", "an update of "+r.Name.String(), "", r.Fields, updateField)
	}
	for _, r := range s.Views {
		g.object(g.names[r.Name], r.Kind+" "+r.Name.String(), r.Comment, r.Fields, rowField)
	}
	for i, f := range s.Functions {
		if len(f.Args) > 0 {
			g.object(g.fn[i]+"Args", "the arguments of "+f.Key, f.Comment, f.Args, argField)
		}
		g.doc("", "The result of "+f.Key+".", "")
		fmt.Fprintf(b, "export type %sReturns = %s;\n\n", g.fn[i], g.result(f))
	}
	g.database()
	g.kysely()
	files := []File{{Path: "database.ts", Content: []byte(b.String())}}
	if o.Validators == "zod" {
		files = append(files, File{Path: "database.zod.ts", Content: []byte(g.zod())})
	}
	return files, nil
}

func (g *tsGen) doc(indent, what, cmt string) {
	if cmt == "" {
		fmt.Fprintf(&g.b, "%s/** %s */\n", indent, strings.ReplaceAll(what, "*/", "*\\/"))
		return
	}
	fmt.Fprintf(&g.b, "%s/**\n%s * %s\n%s *\n%s%s */\n", indent, indent, strings.ReplaceAll(what, "*/", "*\\/"), indent, comment(indent+" * ", strings.ReplaceAll(cmt, "*/", "*\\/")), indent)
}

// key returns a property key: the name itself where it is an identifier,
// else a string literal.
func tsKey(name string) string {
	if isASCIIIdent(name) {
		return name
	}
	return strconv.Quote(name)
}

func (g *tsGen) fields(indent string, fields []*Field, role fieldRole) {
	for _, f := range fields {
		if f.Insert == Absent && (role == insertField || role == updateField) {
			continue
		}
		opt := ""
		if role == updateField || f.Insert == Optional && (role == insertField || role == argField) {
			opt = "?"
		}
		if f.Comment != "" {
			g.doc(indent, f.Comment, "")
		}
		fmt.Fprintf(&g.b, "%s%s%s: %s;\n", indent, tsKey(f.Name), opt, g.typ(f.Type, f.Nullable))
	}
}

// object writes an object type. Every object type is a type alias, not an
// interface: an interface has no implicit index signature, so it is not
// assignable to Record<string, unknown>, which Supabase's
// createClient<Database>() requires of rows, inserts, updates and
// arguments.
func (g *tsGen) object(name, what, cmt string, fields []*Field, role fieldRole) {
	g.doc("", what, cmt)
	fmt.Fprintf(&g.b, "export type %s = {\n", name)
	g.fields("  ", fields, role)
	g.b.WriteString("};\n\n")
}

func (g *tsGen) result(f *Function) string {
	var t string
	switch {
	case f.Columns != nil:
		var b strings.Builder
		b.WriteString("{ ")
		for _, c := range f.Columns {
			fmt.Fprintf(&b, "%s: %s; ", tsKey(c.Name), g.typ(c.Type, true))
		}
		b.WriteString("}")
		t = b.String()
	case f.RowOf != nil:
		t = g.names[*f.RowOf]
	case f.Result != nil:
		t = paren(g.typ(*f.Result, false))
	default:
		return "undefined"
	}
	if f.Set {
		t += "[]"
	}
	return t
}

func paren(t string) string {
	if strings.ContainsAny(t, " |&") && !strings.HasPrefix(t, "{") {
		return "(" + t + ")"
	}
	return t
}

func (g *tsGen) base(t Type) string {
	switch t.Kind {
	case Overridden:
		return t.Override.TS
	case Builtin:
	default:
		return g.names[t.Ref]
	}
	switch t.Family {
	case "int2", "int4", "oid", "float4", "float8":
		return "number"
	case "int8":
		return g.o.BigInt
	case "numeric":
		return g.o.Numeric
	case "bool":
		return "boolean"
	case "json":
		return "Json"
	case "date", "timestamp", "timestamptz":
		return g.o.Date
	}
	return "string"
}

func (g *tsGen) typ(t Type, nullable bool) string {
	s := g.base(t)
	if t.Dims > 0 {
		s = paren(s) + strings.Repeat("[]", t.Dims)
	}
	if nullable {
		s += " | null"
	}
	return s
}

func (g *tsGen) database() {
	b := &g.b
	b.WriteString("/** The schema in the shape Supabase's and Kysely's generated types use: Database[schema][\"Tables\"][table][\"Row\" | \"Insert\" | \"Update\"]. */\n")
	b.WriteString("export type Database = {\n")
	for _, sch := range g.s.Schemas {
		fmt.Fprintf(b, "  %s: {\n", tsKey(sch))
		b.WriteString("    Tables: {\n")
		for _, r := range g.s.Tables {
			if r.Name.Schema == sch {
				n := g.names[r.Name]
				fmt.Fprintf(b, "      %s: { Row: %s; Insert: %sInsert; Update: %sUpdate; Relationships: [] };\n", tsKey(r.Name.Name), n, n, n)
			}
		}
		b.WriteString("    };\n    Views: {\n")
		for _, r := range g.s.Views {
			if r.Name.Schema == sch {
				fmt.Fprintf(b, "      %s: { Row: %s; Relationships: [] };\n", tsKey(r.Name.Name), g.names[r.Name])
			}
		}
		b.WriteString("    };\n    Functions: {\n")
		for i := 0; i < len(g.s.Functions); {
			f := g.s.Functions[i]
			if f.Name.Schema != sch {
				i++
				continue
			}
			var alts []string
			for ; i < len(g.s.Functions) && g.s.Functions[i].Name == f.Name; i++ {
				args := "Record<PropertyKey, never>"
				if len(g.s.Functions[i].Args) > 0 {
					args = g.fn[i] + "Args"
				}
				alts = append(alts, fmt.Sprintf("{ Args: %s; Returns: %sReturns }", args, g.fn[i]))
			}
			fmt.Fprintf(b, "      %s: %s;\n", tsKey(f.Name.Name), strings.Join(alts, " | "))
		}
		b.WriteString("    };\n    Enums: {\n")
		for _, e := range g.s.Enums {
			if e.Name.Schema == sch {
				fmt.Fprintf(b, "      %s: %s;\n", tsKey(e.Name.Name), g.names[e.Name])
			}
		}
		b.WriteString("    };\n    CompositeTypes: {\n")
		for _, r := range g.s.Composites {
			if r.Name.Schema == sch {
				fmt.Fprintf(b, "      %s: %s;\n", tsKey(r.Name.Name), g.names[r.Name])
			}
		}
		b.WriteString("    };\n  };\n")
	}
	b.WriteString("};\n\n")
}

// kysely writes KyselyDatabase, the tables and views as Kysely's
// Kysely<DB> takes them: KyselyColumn is structurally Kysely's
// ColumnType, so the generated file needs no import.
func (g *tsGen) kysely() {
	b := &g.b
	b.WriteString("/** Kysely's ColumnType<Select, Insert, Update>, declared here so this file imports nothing. */\n")
	b.WriteString("export type KyselyColumn<S, I = S, U = S> = { readonly __select__: S; readonly __insert__: I; readonly __update__: U };\n\n")
	for _, r := range g.s.Tables {
		g.doc("", "Table "+r.Name.String()+" for Kysely.", "")
		fmt.Fprintf(b, "export type %sTable = {\n", g.names[r.Name])
		for _, f := range r.Fields {
			t := g.typ(f.Type, f.Nullable)
			switch f.Insert {
			case Optional:
				t = fmt.Sprintf("KyselyColumn<%s, %s | undefined, %s>", t, t, t)
			case Absent:
				t = fmt.Sprintf("KyselyColumn<%s, never, never>", t)
			}
			fmt.Fprintf(b, "  %s: %s;\n", tsKey(f.Name), t)
		}
		b.WriteString("};\n\n")
	}
	b.WriteString("/** The tables and views for Kysely: new Kysely<KyselyDatabase>(…); tables outside public are \"schema.table\". */\n")
	b.WriteString("export type KyselyDatabase = {\n")
	key := func(q model.QName) string {
		if q.Schema == "public" {
			return tsKey(q.Name)
		}
		return strconv.Quote(q.Schema + "." + q.Name)
	}
	for _, r := range g.s.Tables {
		fmt.Fprintf(b, "  %s: %sTable;\n", key(r.Name), g.names[r.Name])
	}
	for _, r := range g.s.Views {
		fmt.Fprintf(b, "  %s: %s;\n", key(r.Name), g.names[r.Name])
	}
	b.WriteString("};\n")
}

// zod returns database.zod.ts: a zod schema per type, and type-level
// checks that each schema's inferred type equals its type.
func (g *tsGen) zod() string {
	var b strings.Builder
	b.WriteString(headerLine("ts", g.s.Hash) + "\n\n")
	b.WriteString("import { z } from \"zod\";\n\nimport type * as db from \"./database\";\n\n")
	b.WriteString("export const jsonSchema: z.ZodType<db.Json> = z.lazy(() =>\n  z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), jsonSchema.optional()), z.array(jsonSchema)]),\n);\n\n")
	var checks []string
	schema := func(name string) string { return strings.ToLower(name[:1]) + name[1:] + "Schema" }
	check := func(name string) {
		checks = append(checks, fmt.Sprintf("Equals<z.infer<typeof %s>, db.%s>", schema(name), name))
	}
	for _, e := range g.s.Enums {
		n := g.names[e.Name]
		if len(e.Labels) == 0 {
			fmt.Fprintf(&b, "export const %s = z.never();\n", schema(n))
		} else {
			labels := make([]string, len(e.Labels))
			for i, l := range e.Labels {
				labels[i] = strconv.Quote(l)
			}
			fmt.Fprintf(&b, "export const %s = z.enum([%s]);\n", schema(n), strings.Join(labels, ", "))
		}
		check(n)
	}
	for _, d := range g.s.Domains {
		n := g.names[d.Name]
		fmt.Fprintf(&b, "export const %s = %s;\n", schema(n), g.zodType(d.Base, false, schema))
		check(n)
	}
	object := func(name string, fields []*Field, role fieldRole) {
		fmt.Fprintf(&b, "export const %s = z.object({\n", schema(name))
		for _, f := range fields {
			if f.Insert == Absent && (role == insertField || role == updateField) {
				continue
			}
			t := g.zodType(f.Type, f.Nullable, schema)
			if role == updateField || f.Insert == Optional && (role == insertField || role == argField) {
				t += ".optional()"
			}
			fmt.Fprintf(&b, "  %s: %s,\n", tsKey(f.Name), t)
		}
		b.WriteString("});\n")
		check(name)
	}
	for _, r := range g.s.Composites {
		object(g.names[r.Name], r.Fields, rowField)
	}
	for _, r := range g.s.Tables {
		n := g.names[r.Name]
		object(n, r.Fields, rowField)
		object(n+"Insert", r.Fields, insertField)
		object(n+"Update", r.Fields, updateField)
	}
	for _, r := range g.s.Views {
		object(g.names[r.Name], r.Fields, rowField)
	}
	for i, f := range g.s.Functions {
		if len(f.Args) > 0 {
			object(g.fn[i]+"Args", f.Args, argField)
		}
	}
	b.WriteString("\n/** Each schema's inferred type is its type: this fails to compile otherwise. */\n")
	b.WriteString("type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\n")
	b.WriteString("type Assert<T extends true> = T;\n")
	b.WriteString("export type Checks = [\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "  Assert<%s>,\n", c)
	}
	b.WriteString("];\n")
	return b.String()
}

func (g *tsGen) zodType(t Type, nullable bool, schema func(string) string) string {
	var s string
	switch t.Kind {
	case Overridden:
		s = "z.custom<" + t.Override.TS + ">()"
	case Builtin:
		switch g.base(t) {
		case "number":
			s = "z.number()"
		case "bigint":
			s = "z.bigint()"
		case "boolean":
			s = "z.boolean()"
		case "Json":
			s = "jsonSchema"
		case "Date":
			s = "z.date()"
		default:
			s = "z.string()"
		}
	default:
		s = "z.lazy(() => " + schema(g.names[t.Ref]) + ")"
	}
	for i := 0; i < t.Dims; i++ {
		s = "z.array(" + s + ")"
	}
	if nullable {
		s += ".nullable()"
	}
	return s
}
