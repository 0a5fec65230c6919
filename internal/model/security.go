package model

import "sort"

// Kinds of the security objects.
const (
	KindPolicy      Kind = "policy"
	KindPublication Kind = "publication"
	// KindDefaultPrivileges names an ALTER DEFAULT PRIVILEGES entry: Name is
	// the role ("" for the migrating role), Schema the schema ("" for the
	// whole database), Sub the object type (TABLES, …).
	KindDefaultPrivileges Kind = "default privileges"
)

// defaultPrivilegesString describes a default privileges entry.
func defaultPrivilegesString(id ObjectID) string {
	s := "default privileges on " + id.Sub
	if id.Schema != "" {
		s += " in schema " + QuoteIdent(id.Schema)
	}
	if id.Name != "" {
		s += " for role " + QuoteIdent(id.Name)
	}
	return s
}

// Grantee spellings that are not role names.
const (
	// GranteePublic is the pseudo-role PUBLIC.
	GranteePublic = "PUBLIC"
	// GranteeOwner stands for the object's owner, whoever that is in a
	// given database, so that the owner's default privileges never depend
	// on the environment. On objects it also stands for the inspecting
	// (migrating) role, which owns what it creates when owners are not
	// managed; in default privileges, for the entry's own role.
	GranteeOwner = "(owner)"
)

// Grant is one privilege held by one grantee.
type Grant struct {
	Grantee   string `json:"grantee"`   // role name, GranteePublic or GranteeOwner
	Privilege string `json:"privilege"` // SELECT, INSERT, USAGE, EXECUTE, …
	Grantable bool   `json:"grantable,omitempty"`
}

// ACL is the privileges of one object that differ from PostgreSQL's default
// for its kind (acldefault): a NULL acl and an explicit default acl are the
// same ACL, and the owner's implicit privileges never show as grants.
type ACL struct {
	// Target is the object as GRANT spells it: "TABLE public.t",
	// "SEQUENCE public.s", "SCHEMA app", "FUNCTION public.f(integer)",
	// "TYPE public.mood". For a column grant it is the column's table.
	Target string `json:"target"`
	// Column is set for column-level grants.
	Column string `json:"column,omitempty"`
	// Grants are privileges beyond the defaults, sorted.
	Grants []Grant `json:"grants,omitempty"`
	// Revoked are default privileges (of the owner or PUBLIC) that were
	// revoked, sorted.
	Revoked []Grant `json:"revoked,omitempty"`
}

// Extra returns the grants beyond the defaults; none for a nil ACL (the
// default).
func (a *ACL) Extra() []Grant {
	if a == nil {
		return nil
	}
	return a.Grants
}

// Lacking returns the default privileges revoked; none for a nil ACL.
func (a *ACL) Lacking() []Grant {
	if a == nil {
		return nil
	}
	return a.Revoked
}

// DefaultPrivilege is one ALTER DEFAULT PRIVILEGES entry (pg_default_acl).
type DefaultPrivilege struct {
	// Role is FOR ROLE; "" for the role that runs the migrations.
	Role   string `json:"role,omitempty"`
	Schema string `json:"schema,omitempty"` // IN SCHEMA; "" for the whole database
	// ObjectType is the plural GRANT keyword: TABLES, SEQUENCES, FUNCTIONS,
	// TYPES or SCHEMAS.
	ObjectType string  `json:"object_type"`
	Grants     []Grant `json:"grants,omitempty"`
	Revoked    []Grant `json:"revoked,omitempty"`
}

// Key identifies a default privilege entry.
func (d *DefaultPrivilege) Key() string {
	return d.Role + "\x00" + d.Schema + "\x00" + d.ObjectType
}

// Policy is a row-level security policy of a table.
type Policy struct {
	Name       string `json:"name"`
	Permissive bool   `json:"permissive"`
	// Command is ALL, SELECT, INSERT, UPDATE or DELETE.
	Command string `json:"command"`
	// Roles are the role names the policy applies to, sorted; PUBLIC is
	// GranteePublic.
	Roles     []string `json:"roles"`
	Using     string   `json:"using,omitempty"`      // pg_get_expr of polqual
	WithCheck string   `json:"with_check,omitempty"` // pg_get_expr of polwithcheck
	Comment   string   `json:"comment,omitempty"`
}

// RowSecurity is a table's row-level security switches.
type RowSecurity struct {
	Enabled bool `json:"enabled,omitempty"`
	Forced  bool `json:"forced,omitempty"`
}

// Security is the row-level security of one table: its switches and
// policies. Tables without either have no entry.
type Security struct {
	RowSecurity
	Policies map[string]*Policy `json:"policies,omitempty"`
}

// SortedPolicies returns the policies ordered by name.
func (s *Security) SortedPolicies() []*Policy {
	out := make([]*Policy, 0, len(s.Policies))
	for _, p := range s.Policies {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Publication is a logical replication publication.
type Publication struct {
	Name      string             `json:"name"`
	AllTables bool               `json:"all_tables,omitempty"`
	Tables    []PublicationTable `json:"tables,omitempty"`  // sorted by name
	Schemas   []string           `json:"schemas,omitempty"` // FOR TABLES IN SCHEMA, sorted
	// Publish lists the published operations in PostgreSQL's order
	// (insert, update, delete, truncate).
	Publish []string `json:"publish"`
	ViaRoot bool     `json:"via_root,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// PublicationTable is one table of a publication.
type PublicationTable struct {
	Table   QName    `json:"table"`
	Columns []string `json:"columns,omitempty"` // column list, in attnum order
	Where   string   `json:"where,omitempty"`   // row filter, pg_get_expr
}

// Ownership is the owner of one object; read only when owners are managed.
type Ownership struct {
	// Target is the object as ALTER … OWNER TO spells it: "TABLE public.t",
	// "VIEW public.v", "FUNCTION public.f(integer)", "SCHEMA app".
	Target string `json:"target"`
	Role   string `json:"role"`
}

// MarshalText makes ObjectID usable as a JSON object key.
func (id ObjectID) MarshalText() ([]byte, error) {
	return []byte(string(id.Kind) + " " + joinQuoted(id.Schema, id.Name, id.Sub)), nil
}

// SortedACLs returns the ACL keys in a deterministic order.
func (m *Model) SortedACLs() []ObjectID {
	return SortedIDs(m.ACLs)
}

// SortedOwners returns the owner keys in a deterministic order.
func (m *Model) SortedOwners() []ObjectID {
	return SortedIDs(m.Owners)
}

// SortedPublications returns the publications ordered by name.
func (m *Model) SortedPublications() []*Publication {
	out := make([]*Publication, 0, len(m.Publications))
	for _, p := range m.Publications {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SortedDefaultPrivileges returns the default privilege entries by key.
func (m *Model) SortedDefaultPrivileges() []*DefaultPrivilege {
	out := make([]*DefaultPrivilege, 0, len(m.DefaultPrivileges))
	for _, d := range m.DefaultPrivileges {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// SortedSecurity returns the tables that have row-level security settings
// or policies, ordered by name.
func (m *Model) SortedSecurity() []QName {
	out := make([]QName, 0, len(m.Security))
	for n := range m.Security {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// SortedIDs returns the keys of m by kind, schema, name and sub-object.
func SortedIDs[V any](m map[ObjectID]V) []ObjectID {
	out := make([]ObjectID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Schema != b.Schema {
			return a.Schema < b.Schema
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Sub < b.Sub
	})
	return out
}

// SortGrants orders grants by grantee, privilege, then grantable.
func SortGrants(g []Grant) {
	sort.Slice(g, func(i, j int) bool {
		if g[i].Grantee != g[j].Grantee {
			return g[i].Grantee < g[j].Grantee
		}
		if g[i].Privilege != g[j].Privilege {
			return g[i].Privilege < g[j].Privilege
		}
		return !g[i].Grantable && g[j].Grantable
	})
}
