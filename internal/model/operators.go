package model

// KindOperator is CREATE OPERATOR; Sub of its ObjectID holds the operand
// types ("text, text"; "NONE, integer" for a prefix operator), so
// operators that share a name are distinct.
const KindOperator Kind = "operator"

// Operator is a user-defined operator.
type Operator struct {
	Name QName `json:"name"`
	// Left and Right are the operand types (format_type); Left is "NONE"
	// for a prefix operator.
	Left  string `json:"left"`
	Right string `json:"right"`
	// Function is the implementing function (regproc: its name, qualified
	// when not in pg_catalog).
	Function string `json:"function"`
	// Commutator and Negator are "OPERATOR(schema.op)"; "" when unset.
	Commutator string `json:"commutator,omitempty"`
	Negator    string `json:"negator,omitempty"`
	// Restrict and Join are the selectivity estimators; "" when unset.
	Restrict string `json:"restrict,omitempty"`
	Join     string `json:"join,omitempty"`
	Hashes   bool   `json:"hashes,omitempty"`
	Merges   bool   `json:"merges,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Args returns the operand types as ObjectID.Sub spells them.
func (o *Operator) Args() string { return o.Left + ", " + o.Right }

// Key returns the operator's key in Model.Operators: schema.op(left, right).
func (o *Operator) Key() string { return o.Signature() }

// Signature is how DROP, ALTER and COMMENT name the operator:
// schema.op (left, right).
func (o *Operator) Signature() string { return OperatorKey(o.ID()) }

// OperatorKey returns the Model.Operators key of a KindOperator ID.
func OperatorKey(id ObjectID) string {
	return QuoteIdent(id.Schema) + "." + id.Name + " (" + id.Sub + ")"
}

// ID returns the operator's ObjectID.
func (o *Operator) ID() ObjectID {
	return ObjectID{Kind: KindOperator, Schema: o.Name.Schema, Name: o.Name.Name, Sub: o.Args()}
}

// SortedOperators returns the operators ordered by key.
func (m *Model) SortedOperators() []*Operator {
	return sortedByKey(m.Operators)
}
