package model

// KindOpClass is CREATE OPERATOR CLASS and KindOpFamily CREATE OPERATOR
// FAMILY; Sub of their ObjectIDs holds the index access method ("btree"),
// since a name is unique only per method.
const (
	KindOpClass  Kind = "operator class"
	KindOpFamily Kind = "operator family"
)

// OpClass is a user-defined operator class.
type OpClass struct {
	Name   QName  `json:"name"`
	Method string `json:"method"`
	// Type is the indexed data type (format_type); Storage the stored type
	// when it differs ("" otherwise).
	Type    string `json:"type"`
	Storage string `json:"storage,omitempty"`
	Default bool   `json:"default,omitempty"`
	// Family is the family the class belongs to, qualified; "" when it is
	// the family of the same name, which CREATE OPERATOR CLASS makes.
	Family string `json:"family,omitempty"`
	// Members are the OPERATOR and FUNCTION items of CREATE OPERATOR CLASS
	// that belong to the class, in strategy and support number order.
	Members []string `json:"members"`
	Comment string   `json:"comment,omitempty"`
}

// OpFamily is an operator family: one made by CREATE OPERATOR FAMILY, or
// the implicit family of an operator class when ALTER OPERATOR FAMILY ADD
// gave it members of its own.
type OpFamily struct {
	Name   QName  `json:"name"`
	Method string `json:"method"`
	// Implicit is set for the family an operator class of the same name
	// made: it is not created on its own.
	Implicit bool `json:"implicit,omitempty"`
	// Members are the OPERATOR and FUNCTION items added by ALTER OPERATOR
	// FAMILY ADD (not those of its classes).
	Members []string `json:"members,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// OpKey returns the Model.OpClasses and Model.OpFamilies key of an
// operator class or family: schema.name USING method, as DROP names it.
func OpKey(id ObjectID) string {
	return QuoteIdent(id.Schema) + "." + QuoteIdent(id.Name) + " USING " + id.Sub
}

// ID returns the class's ObjectID.
func (c *OpClass) ID() ObjectID {
	return ObjectID{Kind: KindOpClass, Schema: c.Name.Schema, Name: c.Name.Name, Sub: c.Method}
}

// Key returns the class's key in Model.OpClasses.
func (c *OpClass) Key() string { return OpKey(c.ID()) }

// FamilyKey returns the Model.OpFamilies key of the class's family.
func (c *OpClass) FamilyKey() string {
	if c.Family == "" {
		return c.Key()
	}
	return c.Family + " USING " + c.Method
}

// ID returns the family's ObjectID.
func (f *OpFamily) ID() ObjectID {
	return ObjectID{Kind: KindOpFamily, Schema: f.Name.Schema, Name: f.Name.Name, Sub: f.Method}
}

// Key returns the family's key in Model.OpFamilies.
func (f *OpFamily) Key() string { return OpKey(f.ID()) }

// SortedOpClasses returns the operator classes ordered by key.
func (m *Model) SortedOpClasses() []*OpClass { return sortedByKey(m.OpClasses) }

// SortedOpFamilies returns the operator families ordered by key.
func (m *Model) SortedOpFamilies() []*OpFamily { return sortedByKey(m.OpFamilies) }
