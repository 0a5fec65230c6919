package codegen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Spec is the schema as the generators see it: every object with its
// fields resolved to a Type. It is language-neutral; each generator turns
// it into source text.
type Spec struct {
	// Hash names the model the code was generated from.
	Hash string
	// Schemas are the schemas that have something to generate, sorted.
	Schemas    []string
	Tables     []*Relation
	Views      []*Relation // views and materialized views
	Composites []*Relation
	Enums      []*Enum
	Domains    []*Domain
	Functions  []*Function
}

// TypeKind says what a Type refers to.
type TypeKind int

// Type kinds.
const (
	Builtin    TypeKind = iota // a built-in type family (Type.Family)
	EnumRef                    // a managed enum (Type.Ref)
	Composite                  // a managed composite type
	RowRef                     // the row type of a managed table or view
	DomainRef                  // a managed domain
	Overridden                 // an override (Type.Override)
)

// Type is a resolved column, attribute or argument type.
type Type struct {
	Kind     TypeKind
	Family   string      // Builtin: a key of families
	Ref      model.QName // EnumRef, Composite, RowRef, DomainRef
	Override *Override
	Dims     int // array dimensions
}

// Field is a column of a table or view, an attribute of a composite type,
// or an argument or result column of a function.
type Field struct {
	Name     string // as in PostgreSQL
	Type     Type
	Nullable bool
	// Insert says how an insert treats the column.
	Insert  InsertRule
	Comment string
}

// InsertRule says whether a column is required, optional or absent in an
// insert (and absent in an update).
type InsertRule int

// Insert rules.
const (
	Required InsertRule = iota
	Optional            // nullable, defaulted or identity BY DEFAULT
	Absent              // generated or identity ALWAYS
)

// Relation is a table, view, materialized view or composite type.
type Relation struct {
	Name    model.QName
	Kind    string // "table", "view", "materialized view", "composite type"
	Comment string
	Fields  []*Field
}

// HasInsertShape reports whether the table's insert type differs from its
// row type: some column is optional or absent.
func (r *Relation) HasInsertShape() bool {
	for _, f := range r.Fields {
		if f.Insert != Required {
			return true
		}
	}
	return false
}

// Enum is an enum type.
type Enum struct {
	Name    model.QName
	Labels  []string
	Comment string
}

// Domain is a domain: a named alias of its base type.
type Domain struct {
	Name     model.QName
	Base     Type
	Nullable bool // domains admit NULL unless declared NOT NULL
	Default  bool // the domain has a default, which a column without one takes
	Comment  string
}

// Function is a function or procedure that application code can call.
type Function struct {
	Name      model.QName
	Key       string // name(args): overloads have the same Name
	Procedure bool
	Comment   string
	// Args are the input arguments, not nullable; Insert is Optional for
	// an argument with a default.
	Args []*Field
	// Result is a scalar result (nil for none or a row result); generated
	// as not nullable, while result columns are nullable.
	Result *Type
	// Columns are the columns of a row result (RETURNS TABLE, OUT
	// arguments, SETOF a table).
	Columns []*Field
	// RowOf names the table, view or composite type whose row a
	// function returns; Columns is then empty.
	RowOf *model.QName
	Set   bool
}

// UnmappedError lists every column or argument whose type has no mapping,
// each with the override to write.
type UnmappedError struct {
	Items []Unmapped
}

// Unmapped is one use of an unmapped type.
type Unmapped struct {
	Where string // "column public.users.email", "argument x of function public.f(integer)"
	Type  string // "public.citext"
	Lang  string // a language without an entry in an existing override, or ""
	Fix   string // the overrides: entry to add
}

func (e *UnmappedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d use(s) of types pg-flux gen does not map:", len(e.Items))
	for _, u := range e.Items {
		if u.Lang != "" {
			fmt.Fprintf(&b, "\n  %s: type %s has an override without %s", u.Where, u.Type, u.Lang)
		} else {
			fmt.Fprintf(&b, "\n  %s: type %s", u.Where, u.Type)
		}
	}
	b.WriteString("\nadd overrides to " + ConfigFile + ", for example:\noverrides:")
	seen := map[string]bool{}
	for _, u := range e.Items {
		if !seen[u.Fix] {
			seen[u.Fix] = true
			b.WriteString("\n" + u.Fix)
		}
	}
	return b.String()
}

// BuildSpec turns a model into a Spec for the given languages, resolving
// every type through the overrides, the model's own types and the
// built-in families. Every unmapped type is reported in one
// *UnmappedError.
func BuildSpec(m *model.Model, overrides []Override, langs []string) (*Spec, error) {
	b := &builder{m: m, langs: langs, byType: map[string]*Override{}, byColumn: map[string]*Override{}, usedColumn: map[*Override]bool{}}
	for i := range overrides {
		o := &overrides[i]
		if o.Column != "" {
			p := splitName(o.Column)
			b.byColumn[strings.Join(p, "\x00")] = o
		} else {
			b.byType[o.Type] = o
		}
	}
	ti := m.TypeInfo
	if ti == nil {
		ti = &model.TypeInfo{}
	}
	b.ti = ti
	s := &Spec{Hash: m.Hash()}
	schemas := map[string]bool{}

	for _, e := range m.SortedEnums() {
		s.Enums = append(s.Enums, &Enum{Name: e.Name, Labels: e.Labels, Comment: e.Comment})
		schemas[e.Name.Schema] = true
	}
	for _, d := range m.SortedDomains() {
		base, ok := ti.Domains[d.Name]
		if !ok {
			return nil, fmt.Errorf("no base type read for domain %s", d.Name)
		}
		t := b.resolve(base, "domain "+d.Name.String(), nil)
		s.Domains = append(s.Domains, &Domain{Name: d.Name, Base: t, Nullable: !d.NotNull, Default: d.Default != "", Comment: d.Comment})
		schemas[d.Name.Schema] = true
	}
	s.Domains = baseFirst(s.Domains)
	for _, c := range m.SortedComposites() {
		r := &Relation{Name: c.Name, Kind: "composite type", Comment: c.Comment}
		for _, a := range c.Attributes {
			r.Fields = append(r.Fields, &Field{Name: a.Name, Type: b.column(c.Name, a.Name, "attribute"), Nullable: true})
		}
		s.Composites = append(s.Composites, r)
		schemas[c.Name.Schema] = true
	}
	for _, t := range m.SortedTables() {
		r := &Relation{Name: t.Name, Kind: "table", Comment: t.Comment}
		if t.Foreign != nil {
			r.Kind = "foreign table"
		}
		for _, c := range t.Columns {
			f := &Field{Name: c.Name, Type: b.column(t.Name, c.Name, "column"), Nullable: !c.NotNull, Comment: c.Comment}
			// A column of a NOT NULL domain holds no NULL, and one left
			// out of an insert takes the domain's default, else fails.
			notNull, domainDefault := domainTraits(s.Domains, f.Type)
			f.Nullable = f.Nullable && !notNull
			switch {
			case c.Generated != "" || c.Identity == model.IdentityAlways:
				f.Insert = Absent
			case f.Nullable || c.Default != "" || domainDefault || c.Identity == model.IdentityByDefault:
				f.Insert = Optional
			}
			r.Fields = append(r.Fields, f)
		}
		s.Tables = append(s.Tables, r)
		schemas[t.Name.Schema] = true
	}
	views := func(kind string, name model.QName, cols []model.ViewColumn, comment string) {
		r := &Relation{Name: name, Kind: kind, Comment: comment}
		for _, c := range cols {
			// PostgreSQL reports every view column as nullable.
			r.Fields = append(r.Fields, &Field{Name: c.Name, Type: b.column(name, c.Name, "column"), Nullable: true, Comment: c.Comment})
		}
		s.Views = append(s.Views, r)
		schemas[name.Schema] = true
	}
	for _, v := range m.SortedViews() {
		views("view", v.Name, v.Columns, v.Comment)
	}
	for _, v := range m.SortedMatViews() {
		views("materialized view", v.Name, v.Columns, v.Comment)
	}
	sort.Slice(s.Views, func(i, j int) bool { return s.Views[i].Name.Less(s.Views[j].Name) })
	for _, f := range m.SortedFunctions() {
		if fn := b.function(f); fn != nil {
			s.Functions = append(s.Functions, fn)
			schemas[f.Name.Schema] = true
		}
	}
	for n := range schemas {
		s.Schemas = append(s.Schemas, n)
	}
	sort.Strings(s.Schemas)
	if len(b.unmapped) > 0 {
		sort.SliceStable(b.unmapped, func(i, j int) bool { return b.unmapped[i].Where < b.unmapped[j].Where })
		return nil, &UnmappedError{Items: b.unmapped}
	}
	// A column override that matches nothing is a misspelt or stale name:
	// the column it meant gets the default mapping, silently otherwise.
	var unknown []string
	for i := range overrides {
		if o := &overrides[i]; o.Column != "" && !b.usedColumn[o] {
			unknown = append(unknown, fmt.Sprintf("\n  overrides[%d]: column %s", i, o.Column))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%d column override(s) in %s name no column of a table, view or composite type in the managed schemas:%s\ncorrect the schema.table.column name, or remove the entry",
			len(unknown), ConfigFile, strings.Join(unknown, ""))
	}
	return s, nil
}

type builder struct {
	m        *model.Model
	ti       *model.TypeInfo
	langs    []string
	byType   map[string]*Override
	byColumn map[string]*Override
	// usedColumn holds the column overrides that matched a column.
	usedColumn map[*Override]bool
	unmapped   []Unmapped
}

func (b *builder) column(rel model.QName, col, what string) Type {
	ref, ok := b.ti.Columns[model.ColumnRef{Table: rel, Column: col}]
	where := fmt.Sprintf("%s %s.%s", what, rel, model.QuoteIdent(col))
	if !ok {
		b.unmapped = append(b.unmapped, Unmapped{Where: where, Type: "(not read)", Fix: "  (inspect the database again)"})
		return Type{}
	}
	return b.resolve(ref, where, &model.ColumnRef{Table: rel, Column: col})
}

// typeName returns a type's name as users write it in overrides:
// unqualified for pg_catalog, else schema.name.
func typeName(t model.TypeRef) string {
	if t.Schema == "pg_catalog" {
		return t.Name
	}
	return t.QName().String()
}

// resolve maps a catalog type: an override for the column, then one for
// the type, then the model's enums, composites, rows and domains, then
// the built-in families.
func (b *builder) resolve(ref model.TypeRef, where string, col *model.ColumnRef) Type {
	t := Type{Dims: ref.Dims}
	name := typeName(ref)
	var ov *Override
	if col != nil {
		if ov = b.byColumn[strings.Join([]string{col.Table.Schema, col.Table.Name, col.Column}, "\x00")]; ov != nil {
			b.usedColumn[ov] = true
		}
	}
	if ov == nil {
		ov = b.byType[name]
	}
	if ov == nil {
		ov = b.byType[ref.Schema+"."+ref.Name]
	}
	if ov == nil && ref.Schema != "pg_catalog" {
		ov = b.byType[ref.Name]
	}
	if ov != nil {
		for _, l := range b.langs {
			if ov.For(l) == "" {
				b.unmapped = append(b.unmapped, Unmapped{Where: where, Type: name, Lang: l, Fix: overrideFix(ov, col, name, l)})
			}
		}
		t.Kind, t.Override = Overridden, ov
		return t
	}
	q := ref.QName()
	switch {
	case b.m.Enums[q] != nil:
		t.Kind, t.Ref = EnumRef, q
		return t
	case b.m.Composites[q] != nil:
		t.Kind, t.Ref = Composite, q
		return t
	case b.m.Domains[q] != nil:
		t.Kind, t.Ref = DomainRef, q
		return t
	case ref.Kind == "c" && (b.m.Tables[q] != nil || b.m.Views[q] != nil || b.m.MatViews[q] != nil):
		t.Kind, t.Ref = RowRef, q
		return t
	}
	if ref.Schema == "pg_catalog" {
		switch ref.Name {
		case "int2vector":
			t.Family, t.Dims = "int2", t.Dims+1
			return t
		case "oidvector":
			t.Family, t.Dims = "oid", t.Dims+1
			return t
		}
		if fam, ok := builtinFamily[ref.Name]; ok {
			t.Family = fam
			return t
		}
	}
	switch ref.Kind {
	case "r":
		t.Family = "range"
		return t
	case "m":
		t.Family = "multirange"
		return t
	}
	b.unmapped = append(b.unmapped, Unmapped{Where: where, Type: name, Fix: overrideFix(nil, col, name, "")})
	return t
}

// overrideFix is the overrides: entry that maps the type (for one column
// when col is set and the type is a built-in one).
func overrideFix(have *Override, col *model.ColumnRef, name, lang string) string {
	if have != nil {
		key := "type: " + have.Type
		if have.Column != "" {
			key = "column: " + have.Column
		}
		return fmt.Sprintf("  - %s\n    %s: <type>   # add the %s type", key, lang, lang)
	}
	key := "type: " + name
	return "  - " + key + "\n    go: string\n    ts: string\n    python: str\n    rust: ::std::string::String"
}

// skippedTypes are pseudo-types a callable routine's signature cannot be
// generated for: such routines (trigger functions, polymorphic ones,
// handlers) are left out.
var skippedTypes = map[string]bool{
	"trigger": true, "event_trigger": true, "internal": true, "cstring": true, "any": true,
	"anyelement": true, "anyarray": true, "anynonarray": true, "anyenum": true, "anyrange": true,
	"anymultirange": true, "anycompatible": true, "anycompatiblearray": true, "anycompatiblenonarray": true,
	"anycompatiblerange": true, "anycompatiblemultirange": true, "language_handler": true, "fdw_handler": true,
	"index_am_handler": true, "tsm_handler": true, "table_am_handler": true, "opaque": true,
	"pg_ddl_command": true, "unknown": true,
}

func skipped(t model.TypeRef) bool {
	return t.Schema == "pg_catalog" && skippedTypes[t.Name]
}

func (b *builder) function(f *model.Function) *Function {
	if f.Kind != model.RoutineFunction && f.Kind != model.RoutineProcedure {
		return nil
	}
	sig := b.ti.Routines[f.Key()]
	if sig == nil || skipped(sig.Returns) {
		return nil
	}
	for _, a := range sig.Args {
		if skipped(a.Type) {
			return nil
		}
	}
	fn := &Function{Name: f.Name, Key: f.Key(), Procedure: f.Kind == model.RoutineProcedure, Comment: f.Comment, Set: sig.Set}
	where := "function " + f.Key()
	if fn.Procedure {
		where = "procedure " + f.Key()
	}
	nIn := 0
	for _, a := range sig.Args {
		if a.In() {
			nIn++
		}
	}
	in := 0
	var outs []*Field
	for i, a := range sig.Args {
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i+1)
		}
		t := b.resolve(a.Type, fmt.Sprintf("argument %s of %s", name, where), nil)
		if a.In() {
			in++
			fl := &Field{Name: name, Type: t}
			if in > nIn-sig.Defaults {
				fl.Insert = Optional
			}
			fn.Args = append(fn.Args, fl)
		}
		if a.Out() {
			outs = append(outs, &Field{Name: name, Type: t, Nullable: true})
		}
	}
	ret := sig.Returns
	switch {
	case ret.Schema == "pg_catalog" && ret.Name == "void" && ret.Dims == 0:
	case len(outs) > 1 || (ret.Schema == "pg_catalog" && ret.Name == "record" && ret.Dims == 0 && len(outs) > 0):
		fn.Columns = outs
	case ret.Dims == 0 && ret.Kind == "c" && b.m.Composites[ret.QName()] == nil &&
		(b.m.Tables[ret.QName()] != nil || b.m.Views[ret.QName()] != nil || b.m.MatViews[ret.QName()] != nil):
		q := ret.QName()
		fn.RowOf = &q
	default:
		t := b.resolve(ret, "result of "+where, nil)
		fn.Result = &t
	}
	return fn
}

// builtinFamily maps pg_catalog type names to the families of the mapping
// table (docs/gen.md).
var builtinFamily = map[string]string{
	"int2": "int2", "int4": "int4", "int8": "int8",
	"oid": "oid", "xid": "oid", "cid": "oid", "xid8": "int8",
	"regclass": "text", "regproc": "text", "regprocedure": "text", "regtype": "text", "regoper": "text",
	"regoperator": "text", "regconfig": "text", "regdictionary": "text", "regnamespace": "text", "regrole": "text",
	"regcollation": "text",
	"numeric":      "numeric", "float4": "float4", "float8": "float8", "money": "money",
	"text": "text", "varchar": "text", "bpchar": "text", "char": "text", "name": "text",
	"bool":  "bool",
	"bytea": "bytea",
	"date":  "date", "time": "time", "timetz": "timetz", "timestamp": "timestamp", "timestamptz": "timestamptz",
	"interval": "interval",
	"uuid":     "uuid",
	"json":     "json", "jsonb": "json", "jsonpath": "text",
	"inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "macaddr8": "macaddr",
	"int4range": "range", "int8range": "range", "numrange": "range", "tsrange": "range", "tstzrange": "range",
	"daterange": "range", "int4multirange": "multirange", "int8multirange": "multirange", "nummultirange": "multirange",
	"tsmultirange": "multirange", "tstzmultirange": "multirange", "datemultirange": "multirange",
	"tsvector": "tsvector", "tsquery": "tsvector",
	"bit": "bit", "varbit": "bit",
	"xml":   "xml",
	"point": "point", "line": "line", "lseg": "lseg", "box": "box", "path": "path", "polygon": "polygon", "circle": "circle",
	"pg_lsn": "text", "tid": "text", "txid_snapshot": "text", "pg_snapshot": "text",
}

// baseFirst orders domains so that a domain over another domain comes
// after it (Python evaluates its aliases in order); otherwise by name.
func baseFirst(ds []*Domain) []*Domain {
	byName := map[model.QName]*Domain{}
	for _, d := range ds {
		byName[d.Name] = d
	}
	done := map[model.QName]bool{}
	out := make([]*Domain, 0, len(ds))
	var visit func(d *Domain)
	visit = func(d *Domain) {
		if done[d.Name] {
			return
		}
		done[d.Name] = true
		if d.Base.Kind == DomainRef && byName[d.Base.Ref] != nil {
			visit(byName[d.Base.Ref])
		}
		out = append(out, d)
	}
	for _, d := range ds {
		visit(d)
	}
	return out
}

// domainTraits reports whether a value of type t, a domain (over domains),
// is NOT NULL at some level and whether some level has a default. An array
// of a domain is neither.
func domainTraits(ds []*Domain, t Type) (notNull, hasDefault bool) {
	for seen := 0; t.Kind == DomainRef && t.Dims == 0 && seen <= len(ds); seen++ {
		var d *Domain
		for _, x := range ds {
			if x.Name == t.Ref {
				d = x
			}
		}
		if d == nil {
			break
		}
		notNull = notNull || !d.Nullable
		hasDefault = hasDefault || d.Default
		t = d.Base
	}
	return notNull, hasDefault
}
