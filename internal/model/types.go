package model

import "strings"

// Kinds of the objects in this file.
const (
	KindExtension     Kind = "extension"
	KindDomain        Kind = "domain"
	KindComposite     Kind = "composite type"
	KindRange         Kind = "range type"
	KindMatView       Kind = "materialized view"
	KindStatistics    Kind = "statistics"
	KindCollation     Kind = "collation"
	KindTextSearchCfg Kind = "text search configuration"
)

// Extension is an installed extension whose objects live in a managed
// schema. Its version is read but neither hashed nor compared: environments
// install whatever their packages ship, and that is not schema structure.
type Extension struct {
	Name    string `json:"name"`
	Schema  string `json:"schema"`
	Version string `json:"-"`
}

// Domain is a domain type (CREATE DOMAIN).
type Domain struct {
	Name      QName  `json:"name"`
	Type      string `json:"type"` // format_type of the base type
	NotNull   bool   `json:"not_null,omitempty"`
	Default   string `json:"default,omitempty"`
	Collation string `json:"collation,omitempty"` // only when it differs from the base type's
	// Constraints are the CHECK constraints by name; Definition is
	// pg_get_constraintdef ("CHECK (VALUE > 0)").
	Constraints map[string]*Constraint `json:"constraints,omitempty"`
	Comment     string                 `json:"comment,omitempty"`
}

// Attribute is one attribute of a composite type.
type Attribute struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Collation string `json:"collation,omitempty"`
}

// Composite is a standalone composite type (CREATE TYPE … AS (…)).
type Composite struct {
	Name QName `json:"name"`
	// Attributes are in attnum order: unlike a table's columns, the order
	// of a composite type's attributes is part of its value.
	Attributes []*Attribute `json:"attributes"`
	Comment    string       `json:"comment,omitempty"`
}

// Range is a range type (CREATE TYPE … AS RANGE).
type Range struct {
	Name        QName  `json:"name"`
	Subtype     string `json:"subtype"`
	OpClass     string `json:"opclass,omitempty"`   // only when not the subtype's default
	Collation   string `json:"collation,omitempty"` // only when not the subtype's default
	Canonical   string `json:"canonical,omitempty"`
	SubtypeDiff string `json:"subtype_diff,omitempty"`
	Multirange  QName  `json:"multirange"`
	Comment     string `json:"comment,omitempty"`
}

// MatView is a materialized view. Its indexes are in Model.Indexes.
type MatView struct {
	Name       QName        `json:"name"`
	Definition string       `json:"definition"` // pg_get_viewdef(oid, true)
	Columns    []ViewColumn `json:"columns"`
	Options    []string     `json:"options,omitempty"`
	Comment    string       `json:"comment,omitempty"`
}

// Statistics is an extended statistics object (CREATE STATISTICS).
type Statistics struct {
	Name       QName  `json:"name"`
	Table      QName  `json:"table"`
	Definition string `json:"definition"`       // pg_get_statisticsobjdef, a complete CREATE STATISTICS
	Target     *int   `json:"target,omitempty"` // stxstattarget when set (nil: the default)
	Comment    string `json:"comment,omitempty"`
}

// Collation is a collation defined in a managed schema.
type Collation struct {
	Name          QName  `json:"name"`
	Provider      string `json:"provider"` // icu, libc
	Locale        string `json:"locale,omitempty"`
	LcCollate     string `json:"lc_collate,omitempty"`
	LcCtype       string `json:"lc_ctype,omitempty"`
	Deterministic bool   `json:"deterministic"`
	Comment       string `json:"comment,omitempty"`
}

// TextSearchConfig is a text-search configuration: its parser and, per
// token type, the dictionaries in order ("asciiword: pg_catalog.simple").
type TextSearchConfig struct {
	Name     QName    `json:"name"`
	Parser   string   `json:"parser"`
	Mappings []string `json:"mappings"` // sorted by token type
	Comment  string   `json:"comment,omitempty"`
}

// SortedDomains returns the domains ordered by name.
func (m *Model) SortedDomains() []*Domain {
	return sortedValues(m.Domains, func(v *Domain) QName { return v.Name })
}

// SortedComposites returns the composite types ordered by name.
func (m *Model) SortedComposites() []*Composite {
	return sortedValues(m.Composites, func(v *Composite) QName { return v.Name })
}

// SortedRanges returns the range types ordered by name.
func (m *Model) SortedRanges() []*Range {
	return sortedValues(m.Ranges, func(v *Range) QName { return v.Name })
}

// SortedMatViews returns the materialized views ordered by name.
func (m *Model) SortedMatViews() []*MatView {
	return sortedValues(m.MatViews, func(v *MatView) QName { return v.Name })
}

// SortedStatistics returns the statistics objects ordered by name.
func (m *Model) SortedStatistics() []*Statistics {
	return sortedValues(m.Statistics, func(v *Statistics) QName { return v.Name })
}

// SortedCollations returns the collations ordered by name.
func (m *Model) SortedCollations() []*Collation {
	return sortedValues(m.Collations, func(v *Collation) QName { return v.Name })
}

// SortedTextSearchConfigs returns the text-search configurations ordered by name.
func (m *Model) SortedTextSearchConfigs() []*TextSearchConfig {
	return sortedValues(m.TextSearchConfigs, func(v *TextSearchConfig) QName { return v.Name })
}

// SortedExtensions returns the extensions ordered by name.
func (m *Model) SortedExtensions() []*Extension {
	out := make([]*Extension, 0, len(m.Extensions))
	for _, e := range m.Extensions {
		out = append(out, e)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// PartitionsOf returns the direct partitions of a table, ordered by name.
func (m *Model) PartitionsOf(parent QName) []*Table {
	var out []*Table
	for _, t := range m.SortedTables() {
		if t.PartitionOf != nil && *t.PartitionOf == parent {
			out = append(out, t)
		}
	}
	return out
}

// PartitionDepth is how many parents a table has above it (0 for a table
// that is not a partition).
func (m *Model) PartitionDepth(name QName) int {
	d := 0
	for t := m.Tables[name]; t != nil && t.PartitionOf != nil && d < 64; t = m.Tables[*t.PartitionOf] {
		d++
	}
	return d
}

// BaseType strips the array brackets of a format_type spelling: the type
// of an array's elements, or the type itself.
func BaseType(t string) string { return strings.TrimRight(t, "[]") }

// TypesHolding returns the given types (QName spellings, as format_type
// writes them) and every composite, domain and range type of m whose
// values contain a value of one of them, at any depth: as an attribute,
// base type or subtype, plain or as an array. A column of any of them
// holds values of the given types.
func (m *Model) TypesHolding(types ...string) map[string]bool {
	h := map[string]bool{}
	for _, t := range types {
		h[t] = true
	}
	for grew := true; grew; {
		grew = false
		mark := func(name QName, uses bool) {
			if uses && !h[name.String()] {
				h[name.String()] = true
				grew = true
			}
		}
		for name, ct := range m.Composites {
			for _, a := range ct.Attributes {
				mark(name, h[BaseType(a.Type)])
			}
		}
		for name, d := range m.Domains {
			mark(name, h[BaseType(d.Type)])
		}
		for name, r := range m.Ranges {
			mark(name, h[BaseType(r.Subtype)])
		}
	}
	return h
}
