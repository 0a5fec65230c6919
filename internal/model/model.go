// Package model is the schema model that both sides of every comparison are
// read into: the desired state (source loaded into a shadow database) and the
// live database. Both are filled by the same catalog inspector, so two models
// are equal exactly when PostgreSQL describes the two databases the same way.
//
// Definitions are kept as PostgreSQL's own deparsed text (pg_get_indexdef,
// pg_get_constraintdef, pg_get_viewdef, format_type, pg_get_expr), read with
// search_path set to pg_catalog so every name is schema-qualified.
package model

import (
	"sort"
	"strings"
)

// Model is the managed part of one database.
type Model struct {
	Schemas   map[string]*Schema  `json:"schemas"`
	Tables    map[QName]*Table    `json:"tables"`
	Indexes   map[QName]*Index    `json:"indexes"`
	Sequences map[QName]*Sequence `json:"sequences"`
	Views     map[QName]*View     `json:"views"`
	Enums     map[QName]*Enum     `json:"enums"`

	// Functions (with procedures and aggregates) by FunctionKey, triggers
	// and rules by TriggerKey, event triggers by name.
	Functions         map[string]*Function        `json:"functions,omitempty"`
	Triggers          map[string]*Trigger         `json:"triggers,omitempty"`
	Rules             map[string]*Rule            `json:"rules,omitempty"`
	EventTriggers     map[string]*EventTrigger    `json:"event_triggers,omitempty"`
	Extensions        map[string]*Extension       `json:"extensions,omitempty"`
	Domains           map[QName]*Domain           `json:"domains,omitempty"`
	Composites        map[QName]*Composite        `json:"composites,omitempty"`
	Ranges            map[QName]*Range            `json:"ranges,omitempty"`
	MatViews          map[QName]*MatView          `json:"matviews,omitempty"`
	Statistics        map[QName]*Statistics       `json:"statistics,omitempty"`
	Collations        map[QName]*Collation        `json:"collations,omitempty"`
	TextSearchConfigs map[QName]*TextSearchConfig `json:"text_search_configs,omitempty"`
	// Operators by Operator.Key.
	Operators map[string]*Operator `json:"operators,omitempty"`
	// Operator classes and families by OpKey.
	OpClasses  map[string]*OpClass  `json:"opclasses,omitempty"`
	OpFamilies map[string]*OpFamily `json:"opfamilies,omitempty"`
	// Security is row-level security (switches and policies) by table.
	Security map[QName]*Security `json:"security,omitempty"`
	// ACLs are the non-default privileges of objects (columns included).
	ACLs map[ObjectID]*ACL `json:"acls,omitempty"`
	// DefaultPrivileges are ALTER DEFAULT PRIVILEGES entries by Key.
	DefaultPrivileges map[string]*DefaultPrivilege `json:"default_privileges,omitempty"`
	Publications      map[string]*Publication      `json:"publications,omitempty"`
	Servers           map[string]*ForeignServer    `json:"servers,omitempty"`
	// Casts by Cast.Key.
	Casts map[string]*Cast `json:"casts,omitempty"`
	// Owners are read only when owners are managed (catalog.Options.Owners):
	// otherwise environments with different owners must hash the same.
	Owners map[ObjectID]*Ownership `json:"owners,omitempty"`

	// Deps records, for each object, the objects it depends on, as
	// PostgreSQL's pg_depend sees them (a view's rewrite rule stands for the
	// view, a column default for its column). A dependency on particular
	// columns of a table is recorded both on the table and on each column
	// (KindColumn IDs), so a change to one column finds exactly the views
	// that use it. Constraints are KindConstraint IDs named by their table,
	// with the constraint name in Sub. Deps orders statements and is not
	// part of the hash.
	Deps map[ObjectID][]ObjectID `json:"-"`

	// Stats holds live facts that are not structure (row estimates); used by
	// the planner and hazard checks, never hashed.
	Stats map[QName]TableStats `json:"-"`

	// Unmodelled names the objects of the managed schemas that pg-flux
	// does not model ("operator class public.foo USING btree"), sorted:
	// a dump or a comparison without them is incomplete, so commands
	// that depend on completeness say so. Never hashed.
	Unmodelled []string `json:"-"`

	// TypeInfo is what code generation needs to know about types and
	// signatures; derived from the catalog, never hashed (see TypeInfo).
	TypeInfo *TypeInfo `json:"-"`

	// Outside holds the objects outside the managed schemas that managed
	// objects use (catalog.Outside), nil when there are none: every scratch
	// database made for this model has them first, as live has. They are
	// never compared, hashed, dumped or dropped.
	Outside *Model `json:"-"`
}

// New returns an empty model with all maps allocated.
func New() *Model {
	return &Model{
		Schemas:   map[string]*Schema{},
		Tables:    map[QName]*Table{},
		Indexes:   map[QName]*Index{},
		Sequences: map[QName]*Sequence{},
		Views:     map[QName]*View{},
		Enums:     map[QName]*Enum{},
		Deps:      map[ObjectID][]ObjectID{},
		Stats:     map[QName]TableStats{},

		Functions:     map[string]*Function{},
		Triggers:      map[string]*Trigger{},
		Rules:         map[string]*Rule{},
		EventTriggers: map[string]*EventTrigger{},

		Extensions:        map[string]*Extension{},
		Domains:           map[QName]*Domain{},
		Composites:        map[QName]*Composite{},
		Ranges:            map[QName]*Range{},
		MatViews:          map[QName]*MatView{},
		Statistics:        map[QName]*Statistics{},
		Collations:        map[QName]*Collation{},
		TextSearchConfigs: map[QName]*TextSearchConfig{},
		Operators:         map[string]*Operator{},
		OpClasses:         map[string]*OpClass{},
		OpFamilies:        map[string]*OpFamily{},

		Security:          map[QName]*Security{},
		ACLs:              map[ObjectID]*ACL{},
		DefaultPrivileges: map[string]*DefaultPrivilege{},
		Publications:      map[string]*Publication{},
		Servers:           map[string]*ForeignServer{},
		Casts:             map[string]*Cast{},
		Owners:            map[ObjectID]*Ownership{},
	}
}

// TableStats are planner estimates read from pg_class.
type TableStats struct {
	RelTuples float64 // pg_class.reltuples; -1 when never analyzed (PG14+)
	RelPages  int64
}

// Schema is a namespace (CREATE SCHEMA).
type Schema struct {
	Name    string `json:"name"`
	Comment string `json:"comment,omitempty"`
}

// Table is an ordinary table.
type Table struct {
	Name QName `json:"name"`
	// Columns are in attnum order for readable output; they are matched by
	// name and their order is neither diffed nor hashed (see Canonical).
	Columns     []*Column              `json:"columns"`
	Constraints map[string]*Constraint `json:"constraints"`
	Comment     string                 `json:"comment,omitempty"`

	// PartitionBy is pg_get_partkeydef of a partitioned table
	// ("RANGE (created_at)"); "" for an ordinary table.
	PartitionBy string `json:"partition_by,omitempty"`
	// PartitionOf is the parent of a partition, Bound its
	// pg_get_expr(relpartbound) ("FOR VALUES FROM (…) TO (…)", "DEFAULT").
	PartitionOf *QName `json:"partition_of,omitempty"`
	Bound       string `json:"bound,omitempty"`
	// Inherits are the parents of classic inheritance (INHERITS), in
	// pg_inherits.inhseqno order; partitions are PartitionOf instead.
	Inherits []QName `json:"inherits,omitempty"`
	Unlogged bool    `json:"unlogged,omitempty"`
	// Options are the reloptions ("fillfactor=70"), sorted.
	Options []string `json:"options,omitempty"`
	// ReplicaIdentity is what follows REPLICA IDENTITY when it is not the
	// default: "FULL", "NOTHING" or "USING INDEX <name>".
	ReplicaIdentity string `json:"replica_identity,omitempty"`
	// Foreign is set for a foreign table.
	Foreign *ForeignTable `json:"foreign,omitempty"`
	// ClusterOn is the index (or key constraint) that ALTER TABLE … CLUSTER
	// ON marked, quoted; "" when none is.
	ClusterOn string `json:"cluster_on,omitempty"`
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Identity kinds, as pg_attribute.attidentity.
const (
	IdentityNone      = ""
	IdentityAlways    = "a"
	IdentityByDefault = "d"
)

// Column is one table column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // format_type(atttypid, atttypmod), qualified
	// Inherited is set for a column that only parents declare (INHERITS;
	// attislocal false): CREATE TABLE leaves it out. A column the table
	// declares too, merged with the parents' one, is not Inherited.
	// Partitions' columns are never Inherited (PARTITION OF declares none).
	Inherited bool   `json:"inherited,omitempty"`
	NotNull   bool   `json:"not_null,omitempty"`
	Default   string `json:"default,omitempty"` // pg_get_expr of the default; "" when none
	// Identity is IdentityAlways or IdentityByDefault for identity columns;
	// IdentitySequence then holds the options of the implicit sequence.
	Identity         string    `json:"identity,omitempty"`
	IdentitySequence *Sequence `json:"identity_sequence,omitempty"`
	// Generated is the expression of a generated column: STORED, or
	// VIRTUAL (PostgreSQL 18, computed when read) when Virtual is set.
	Generated string `json:"generated,omitempty"`
	Virtual   bool   `json:"virtual,omitempty"`
	// Collation is set only when it differs from the type's default collation.
	Collation string `json:"collation,omitempty"`
	Comment   string `json:"comment,omitempty"`
	// FDWOptions are a foreign table column's options (attfdwoptions,
	// "key=value"), sorted.
	FDWOptions []string `json:"fdw_options,omitempty"`
	// Storage is attstorage ("plain", "external", "extended", "main") when
	// it differs from the type's default; Compression is attcompression
	// ("pglz", "lz4") when set.
	Storage     string `json:"storage,omitempty"`
	Compression string `json:"compression,omitempty"`
	// TypeStorage is the type's default storage, which SET STORAGE
	// returns to; not part of the hash.
	TypeStorage string `json:"-"`
	// StatsTarget is attstattarget when set (ALTER COLUMN … SET
	// STATISTICS), "" for the default; Options are attoptions
	// ("n_distinct=-0.5"), sorted.
	StatsTarget string   `json:"stats_target,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// Constraint types, as pg_constraint.contype.
const (
	PrimaryKey = "p"
	Unique     = "u"
	Check      = "c"
	ForeignKey = "f"
	Exclusion  = "x"
)

// Constraint is a table constraint.
type Constraint struct {
	Name string `json:"name"`
	Type string `json:"type"` // one of PrimaryKey, Unique, Check, ForeignKey, Exclusion
	// Definition is pg_get_constraintdef: everything after "CONSTRAINT name",
	// including DEFERRABLE and NOT VALID.
	Definition string `json:"definition"`
	// Validated is false for a NOT VALID constraint.
	Validated bool `json:"validated"`
	// References is the referenced table of a foreign key.
	References *QName `json:"references,omitempty"`
	Comment    string `json:"comment,omitempty"`
}

// Index is an index that is not owned by a constraint (constraint indexes
// belong to their Constraint).
type Index struct {
	Name       QName  `json:"name"`
	Table      QName  `json:"table"`
	Definition string `json:"definition"` // pg_get_indexdef, a complete CREATE INDEX
	Unique     bool   `json:"unique,omitempty"`
	Comment    string `json:"comment,omitempty"`
	// StatsTargets are the statistics targets set on index columns (ALTER
	// INDEX … ALTER COLUMN n SET STATISTICS t, for expression columns), as
	// "n=t" in column order.
	StatsTargets []string `json:"stats_targets,omitempty"`
	// Partitions are the indexes attached to an index of a partitioned
	// table, at every level below it, sorted by table: their names may be
	// chosen (ALTER INDEX … ATTACH PARTITION), and a partition without one
	// leaves the index invalid.
	Partitions []PartitionIndex `json:"partitions,omitempty"`
	// Invalid is set when the database the index was read from holds it
	// INVALID (pg_index.indisvalid false): a CREATE INDEX CONCURRENTLY that
	// failed, or an index of a partitioned table some partition has no
	// index attached to. PostgreSQL keeps it up to date but never uses it,
	// and a unique one does not guarantee uniqueness. It is state, not
	// definition: outside the canonical JSON and the model hash, which a
	// copy of live rebuilt from DDL could never reproduce.
	Invalid bool `json:"-"`
}

// PartitionIndex is the index of one partition attached to a partitioned
// index; it is in the partition's schema.
type PartitionIndex struct {
	Table QName  `json:"table"`
	Name  string `json:"name"`
}

// Sequence is a sequence: a standalone one, one owned by a column (serial),
// or the implicit sequence of an identity column (Column.IdentitySequence).
type Sequence struct {
	Name      QName  `json:"name"`
	Type      string `json:"type"` // smallint, integer or bigint
	Start     int64  `json:"start"`
	Increment int64  `json:"increment"`
	Min       int64  `json:"min"`
	Max       int64  `json:"max"`
	Cache     int64  `json:"cache"`
	Cycle     bool   `json:"cycle,omitempty"`
	// OwnedBy is "table.column" of the owning column (ALTER SEQUENCE … OWNED BY).
	OwnedBy *ColumnRef `json:"owned_by,omitempty"`
	Comment string     `json:"comment,omitempty"`
}

// ColumnRef names a column of a table.
type ColumnRef struct {
	Table  QName  `json:"table"`
	Column string `json:"column"`
}

// ViewColumn is one output column of a view.
type ViewColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Comment string `json:"comment,omitempty"`
}

// View is a view.
type View struct {
	Name       QName        `json:"name"`
	Definition string       `json:"definition"` // pg_get_viewdef(oid, true)
	Columns    []ViewColumn `json:"columns"`    // in output order: a view's column order matters
	Options    []string     `json:"options,omitempty"`
	Comment    string       `json:"comment,omitempty"`
}

// Enum is an enum type.
type Enum struct {
	Name    QName    `json:"name"`
	Labels  []string `json:"labels"` // in sort order
	Comment string   `json:"comment,omitempty"`
}

// SortedTables returns the tables ordered by name, for deterministic output.
func (m *Model) SortedTables() []*Table {
	return sortedValues(m.Tables, func(t *Table) QName { return t.Name })
}

// SortedIndexes returns the indexes ordered by name.
func (m *Model) SortedIndexes() []*Index {
	return sortedValues(m.Indexes, func(i *Index) QName { return i.Name })
}

// SortedSequences returns the sequences ordered by name.
func (m *Model) SortedSequences() []*Sequence {
	return sortedValues(m.Sequences, func(s *Sequence) QName { return s.Name })
}

// SortedViews returns the views ordered by name.
func (m *Model) SortedViews() []*View {
	return sortedValues(m.Views, func(v *View) QName { return v.Name })
}

// SortedEnums returns the enums ordered by name.
func (m *Model) SortedEnums() []*Enum {
	return sortedValues(m.Enums, func(e *Enum) QName { return e.Name })
}

// SortedSchemas returns the schemas ordered by name.
func (m *Model) SortedSchemas() []*Schema {
	out := make([]*Schema, 0, len(m.Schemas))
	for _, s := range m.Schemas {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SortedConstraints returns a table's constraints ordered by name.
func (t *Table) SortedConstraints() []*Constraint {
	out := make([]*Constraint, 0, len(t.Constraints))
	for _, c := range t.Constraints {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedValues[T any](m map[QName]T, key func(T) QName) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]).Less(key(out[j])) })
	return out
}

// IndexesOn returns the indexes of one table, ordered by name.
func (m *Model) IndexesOn(table QName) []*Index {
	var out []*Index
	for _, ix := range m.SortedIndexes() {
		if ix.Table == table {
			out = append(out, ix)
		}
	}
	return out
}

// Empty reports whether the model holds no objects besides schemas.
func (m *Model) Empty() bool {
	return len(m.Tables)+len(m.Indexes)+len(m.Sequences)+len(m.Views)+len(m.Enums)+
		len(m.Functions)+len(m.Triggers)+len(m.Rules)+len(m.EventTriggers)+
		len(m.Extensions)+len(m.Domains)+len(m.Composites)+len(m.Ranges)+len(m.MatViews)+
		len(m.Statistics)+len(m.Collations)+len(m.TextSearchConfigs)+len(m.Operators)+len(m.Servers)+len(m.Casts)+
		len(m.OpClasses)+len(m.OpFamilies) == 0
}

// joinQuoted is shared by the name types.
func joinQuoted(parts ...string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = QuoteIdent(p)
	}
	return strings.Join(q, ".")
}
