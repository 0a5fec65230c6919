package model

// TypeInfo holds what application code generation needs beyond the
// structure pg-flux manages: each column's type as a catalog reference
// (element type, array dimensions) and each routine's signature. It is
// derived from the same catalog the rest of the model comes from, but it
// is not schema structure: Model.TypeInfo is never serialised, so it
// neither changes the baseline hash nor shows in any diff.
type TypeInfo struct {
	// Columns are the types of the columns of tables, views, materialized
	// views and of the attributes of composite types, by relation and
	// column name.
	Columns map[ColumnRef]TypeRef
	// Domains are the base types of domains.
	Domains map[QName]TypeRef
	// Routines are function and procedure signatures by FunctionKey.
	Routines map[string]*Signature
}

// TypeRef names a type as the catalog does: the element type of an array,
// with its dimensions.
type TypeRef struct {
	Schema string // namespace of the (element) type: "pg_catalog", "public"
	Name   string // pg_type.typname of the (element) type: "int4", "mood"
	// Kind is pg_type.typtype of the (element) type: b(ase), c(omposite),
	// d(omain), e(num), p(seudo), r(ange), m(ultirange).
	Kind string
	// Dims is the number of array dimensions (attndims where declared,
	// else 1 for an array type); 0 for a scalar.
	Dims int
}

// QName returns the schema-qualified name of the (element) type.
func (t TypeRef) QName() QName { return QName{Schema: t.Schema, Name: t.Name} }

// Argument modes, as pg_proc.proargmodes.
const (
	ArgIn       = "i"
	ArgOut      = "o"
	ArgInOut    = "b"
	ArgVariadic = "v"
	ArgTable    = "t"
)

// Signature is a routine's arguments and result as types.
type Signature struct {
	Args []Arg
	// Defaults is how many of the trailing input arguments have defaults.
	Defaults int
	// Returns is prorettype ("record" for RETURNS TABLE and several OUT
	// arguments, "void" for a procedure without OUT arguments).
	Returns TypeRef
	// Set is true for a set-returning function (RETURNS SETOF, TABLE).
	Set bool
}

// Arg is one argument of a routine.
type Arg struct {
	Name string // "" when unnamed
	Mode string // one of the Arg constants
	Type TypeRef
}

// In reports whether the argument is passed in.
func (a Arg) In() bool { return a.Mode == ArgIn || a.Mode == ArgInOut || a.Mode == ArgVariadic }

// Out reports whether the argument is a result column.
func (a Arg) Out() bool { return a.Mode == ArgOut || a.Mode == ArgInOut || a.Mode == ArgTable }
