package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// This file finds the table columns that stop PostgreSQL from changing a
// type in place. PostgreSQL refuses ALTER TYPE … ALTER ATTRIBUTE … TYPE
// while any table column holds the composite type, and refuses to check
// existing values for ALTER DOMAIN … ADD CONSTRAINT, SET NOT NULL and
// VALIDATE CONSTRAINT while a table column holds the domain inside a
// container (an array, a composite or range type, a domain over one of
// those): "cannot alter type … because column … uses it"
// (find_composite_type_dependencies, get_rels_with_domain).

// tableColumns lists the live table columns (not partitions: they repeat
// their parent's) for which holds reports true, as "public.t.c". Columns
// the plan drops, or whose tables it drops, are left out: the drops come
// before the types change (phaseDropColumns).
func (b *builder) tableColumns(holds func(typ string) bool) []string {
	var out []string
	for _, t := range b.live.SortedTables() {
		if t.PartitionOf != nil {
			continue
		}
		d := b.desired.Tables[t.Name]
		if d == nil {
			continue
		}
		for _, c := range t.Columns {
			if holds(c.Type) && d.Column(c.Name) != nil {
				out = append(out, t.Name.String()+"."+model.QuoteIdent(c.Name))
			}
		}
	}
	return out
}

// columnsHoldingComposite lists the table columns that hold the composite
// type, directly, as an array or inside another type.
func (b *builder) columnsHoldingComposite(name model.QName) []string {
	h := b.live.TypesHolding(name.String())
	return b.tableColumns(func(typ string) bool { return h[model.BaseType(typ)] })
}

// compositeAttributeTypeChanges describes the kept attributes whose type
// or collation changes ("attribute zip changes type (character varying(5)
// → character varying(10))").
func compositeAttributeTypeChanges(l, d *model.Composite) []string {
	want := map[string]*model.Attribute{}
	for _, a := range d.Attributes {
		want[a.Name] = a
	}
	var out []string
	for _, a := range l.Attributes {
		if w := want[a.Name]; w != nil && (w.Type != a.Type || w.Collation != a.Collation) {
			out = append(out, fmt.Sprintf("attribute %s changes type (%s → %s)", model.QuoteIdent(a.Name), a.Type+collate(a.Collation), w.Type+collate(w.Collation)))
		}
	}
	return out
}

// refuseUsedCompositeRetype records the error for a composite type whose
// attributes change type while table columns hold it: PostgreSQL cannot
// ALTER ATTRIBUTE … TYPE then, and the stored values would need converting.
func (b *builder) refuseUsedCompositeRetype(l, d *model.Composite) {
	ts := b.types()
	if ts.typeErr != nil {
		return
	}
	changes := compositeAttributeTypeChanges(l, d)
	if len(changes) == 0 {
		return
	}
	cols := b.columnsHoldingComposite(l.Name)
	if len(cols) == 0 {
		return
	}
	ts.typeErr = fmt.Errorf("plan: type %s cannot be changed in place: %s, and it is used by column %s; PostgreSQL cannot change an attribute's type while a table column holds the type (ADD and DROP ATTRIBUTE it can), and the stored values would need converting: add the new attribute under another name, copy the values over and drop the old one in separate migrations, or move those columns to another type first (ALTER TABLE … ALTER COLUMN … TYPE … USING), then change %s",
		l.Name, strings.Join(changes, ", "), strings.Join(cols, ", column "), l.Name)
}

// columnsHoldingDomainInContainer lists the table columns that hold the
// domain (or a domain over it) inside a container: those PostgreSQL cannot
// check when a constraint is added to the domain. Columns of the domain
// itself are checked and are not listed.
func (b *builder) columnsHoldingDomainInContainer(name model.QName) []string {
	// The domain and its sub-domains: their plain columns are checked.
	sub := map[string]bool{name.String(): true}
	for grew := true; grew; {
		grew = false
		for n, d := range b.live.Domains {
			if sub[d.Type] && !sub[n.String()] {
				sub[n.String()] = true
				grew = true
			}
		}
	}
	// The containers built on them, and everything built on those.
	var seeds []string
	for n, ct := range b.live.Composites {
		for _, a := range ct.Attributes {
			if sub[model.BaseType(a.Type)] {
				seeds = append(seeds, n.String())
			}
		}
	}
	for n, d := range b.live.Domains {
		if d.Type != model.BaseType(d.Type) && sub[model.BaseType(d.Type)] {
			seeds = append(seeds, n.String())
		}
	}
	for n, r := range b.live.Ranges {
		if sub[model.BaseType(r.Subtype)] {
			seeds = append(seeds, n.String())
		}
	}
	h := b.live.TypesHolding(seeds...)
	return b.tableColumns(func(typ string) bool {
		return h[model.BaseType(typ)] || typ != model.BaseType(typ) && sub[model.BaseType(typ)]
	})
}

// domainChecksStoredValues describes the changes of alterDomain that make
// PostgreSQL check the values already stored in the domain: a validated
// CHECK added or changed, a constraint validated, SET NOT NULL.
func domainChecksStoredValues(l, d *model.Domain) []string {
	var out []string
	if d.NotNull && !l.NotNull {
		out = append(out, "NOT NULL is set")
	}
	for _, name := range sortedConNames(d.Constraints) {
		dc, lc := d.Constraints[name], l.Constraints[name]
		validated := dc.Validated && !strings.HasSuffix(dc.Definition, "NOT VALID")
		switch {
		case !validated:
		case lc == nil:
			out = append(out, fmt.Sprintf("constraint %s is added (%s)", model.QuoteIdent(name), dc.Definition))
		case constraintChanged(lc, dc):
			out = append(out, fmt.Sprintf("constraint %s changes (%s → %s)", model.QuoteIdent(name), lc.Definition, dc.Definition))
		case !lc.Validated:
			out = append(out, fmt.Sprintf("constraint %s is validated", model.QuoteIdent(name)))
		}
	}
	return out
}

// refuseUncheckableDomainChange records the error for a domain change that
// PostgreSQL must check against stored values while a table column holds
// the domain inside an array or another type: it cannot look there.
func (b *builder) refuseUncheckableDomainChange(l, d *model.Domain) {
	ts := b.types()
	if ts.typeErr != nil {
		return
	}
	changes := domainChecksStoredValues(l, d)
	if len(changes) == 0 {
		return
	}
	cols := b.columnsHoldingDomainInContainer(l.Name)
	if len(cols) == 0 {
		return
	}
	ts.typeErr = fmt.Errorf("plan: domain %s cannot be changed in place: %s, and it is held inside an array or another type by column %s, where PostgreSQL cannot check the values already stored; declare the CHECK constraint NOT VALID in source instead (ALTER DOMAIN %s ADD CONSTRAINT … NOT VALID: new values are checked, stored ones are not; for NOT NULL, a CHECK (VALUE IS NOT NULL) NOT VALID), or move those columns to another type first (ALTER TABLE … ALTER COLUMN … TYPE), then change %s",
		l.Name, strings.Join(changes, ", "), strings.Join(cols, ", column "), l.Name, l.Name)
}
