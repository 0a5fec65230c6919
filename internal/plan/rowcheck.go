package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Partition changes PostgreSQL checks against the rows: ATTACH PARTITION
// scans the table for rows outside its new bound, and a partition added
// beside a DEFAULT partition (created or attached) scans the default for
// rows that now belong in the new one. Either fails the whole migration
// when it is applied, and the proof on an empty copy of live cannot see
// it. The plan lists those checks (RowCheck) as conditions over live's
// rows; the command asks live before it shows the plan.

// RowCheckKind says why a live table's rows are checked.
type RowCheckKind int

const (
	// RowsOutsideBound: the table is attached (again) as a partition, and
	// a row outside its new bound (its ancestors' included) fails the attach.
	RowsOutsideBound RowCheckKind = iota
	// RowsInNewPartition: the table stays the DEFAULT partition of Parent,
	// and a row that belongs in a partition added beside it fails the add.
	RowsInNewPartition
	// RowsFitNoPartition: the table is recreated with a new partition
	// layout (repartition.go), and a row no partition takes fails the copy.
	RowsFitNoPartition
)

// RowCheck is a condition on the rows of a live table that the plan's
// partition changes need.
type RowCheck struct {
	Kind RowCheckKind
	// Table is the live table whose rows (its partitions' included) are read.
	Table model.QName
	// Parent is the partitioned table Table is attached to or stays in (its
	// own name for RowsFitNoPartition).
	Parent model.QName
	// Into is the partition added beside the DEFAULT partition Table
	// (RowsInNewPartition).
	Into model.QName
	// Bound is Table's new bound (RowsOutsideBound), Into's
	// (RowsInNewPartition), or the new layout's partition key
	// (RowsFitNoPartition).
	Bound string
	// Keys are the partition key expressions, which the message shows for
	// the rows found.
	Keys []string
	// Refused is an SQL condition over Table's rows, true for a row
	// PostgreSQL would refuse; "" when pg-flux cannot write it (a bound or
	// key it cannot read), and PostgreSQL checks the rows only when the
	// migration runs.
	Refused string
}

// partitionRowChecks lists the row checks of a plan from live (without
// the recreated tables, which the plan creates) to desired.
func partitionRowChecks(live, desired *model.Model, rp *repartitions) []RowCheck {
	rc := rowChecker{live: live, desired: desired}
	var out []RowCheck
	added := map[model.QName][]*model.Table{} // parent → partitions added to it
	for _, d := range desired.SortedTables() {
		if d.PartitionOf == nil {
			continue
		}
		l := live.Tables[d.Name]
		switch {
		case l == nil:
			added[*d.PartitionOf] = append(added[*d.PartitionOf], d)
		case l.PartitionOf == nil || *l.PartitionOf != *d.PartitionOf || l.Bound != d.Bound:
			added[*d.PartitionOf] = append(added[*d.PartitionOf], d)
			c := RowCheck{Kind: RowsOutsideBound, Table: d.Name, Parent: *d.PartitionOf, Bound: d.Bound}
			if p := desired.Tables[*d.PartitionOf]; p != nil {
				c.Keys, _ = partitionKeys(p.PartitionBy)
			}
			if cons, ok := rc.constraint(d); ok && cons != "true" {
				c.Refused = "NOT " + cons
			} else if ok {
				continue // every row fits
			}
			out = append(out, c)
		}
	}
	for _, parent := range sortedKeys(added) {
		def := rc.defaultPartition(parent)
		if def == nil {
			continue
		}
		l := live.Tables[def.Name]
		if l == nil || l.PartitionOf == nil || *l.PartitionOf != parent || !isDefaultBound(l.Bound) {
			continue // no default, a new one, or one attached now (checked above)
		}
		p := desired.Tables[parent]
		keys, _ := partitionKeys(p.PartitionBy)
		for _, a := range added[parent] {
			if isDefaultBound(a.Bound) {
				continue
			}
			c := RowCheck{Kind: RowsInNewPartition, Table: def.Name, Parent: parent, Into: a.Name, Bound: a.Bound, Keys: keys}
			if b, ok := rc.bound(p, a.Bound, keys); ok {
				c.Refused = "coalesce(" + b + ", false)"
			}
			out = append(out, c)
		}
	}
	if rp != nil {
		for _, r := range rp.tables {
			keys, ok := partitionKeys(r.desired.PartitionBy)
			if !ok {
				continue // a plain table takes every row
			}
			c := RowCheck{Kind: RowsFitNoPartition, Table: r.name, Parent: r.name, Bound: r.desired.PartitionBy, Keys: keys}
			fits, ok := rp.fitsAny(r.name, keys)
			if ok && fits == "true" {
				continue
			}
			if ok {
				c.Refused = "NOT coalesce(" + fits + ", false)"
			}
			out = append(out, c)
		}
	}
	return out
}

type rowChecker struct{ live, desired *model.Model }

func isDefaultBound(b string) bool { return strings.EqualFold(strings.TrimSpace(b), "DEFAULT") }

// defaultPartition is the DEFAULT partition desired gives parent, or nil.
func (rc rowChecker) defaultPartition(parent model.QName) *model.Table {
	for _, t := range rc.desired.PartitionsOf(parent) {
		if isDefaultBound(t.Bound) {
			return t
		}
	}
	return nil
}

// constraint is the condition desired partition t's rows meet, as
// PostgreSQL's partition constraint: its bound within its parent, and its
// parent's within its own, up to the root; a DEFAULT partition's is that
// no sibling takes the row. ok is false when a bound cannot be read.
func (rc rowChecker) constraint(t *model.Table) (string, bool) {
	var terms []string
	for cur, depth := t, 0; cur != nil && cur.PartitionOf != nil && depth < 64; cur, depth = rc.desired.Tables[*cur.PartitionOf], depth+1 {
		parent := rc.desired.Tables[*cur.PartitionOf]
		if parent == nil {
			return "", false
		}
		keys, ok := partitionKeys(parent.PartitionBy)
		if !ok {
			return "", false
		}
		if !isDefaultBound(cur.Bound) {
			b, ok := rc.bound(parent, cur.Bound, keys)
			if !ok {
				return "", false
			}
			terms = append(terms, "coalesce("+b+", false)")
			continue
		}
		var others []string
		for _, s := range rc.desired.PartitionsOf(parent.Name) {
			if s.Name == cur.Name || isDefaultBound(s.Bound) {
				continue
			}
			b, ok := rc.bound(parent, s.Bound, keys)
			if !ok {
				return "", false
			}
			others = append(others, "coalesce("+b+", false)")
		}
		if len(others) > 0 {
			terms = append(terms, "NOT ("+strings.Join(others, " OR ")+")")
		}
	}
	if len(terms) == 0 {
		return "true", true
	}
	return "(" + strings.Join(terms, " AND ") + ")", true
}

var hashBoundRE = regexp.MustCompile(`(?i)^FOR VALUES WITH \(\s*modulus\s+(\d+)\s*,\s*remainder\s+(\d+)\s*\)$`)

// bound is the condition a partition bound of parent puts on the key. A
// hash bound is PostgreSQL's own test, satisfies_hash_partition, which
// reads the key's hash functions from the parent: it needs the parent on
// live with the same key.
func (rc rowChecker) bound(parent *model.Table, bound string, keys []string) (string, bool) {
	m := hashBoundRE.FindStringSubmatch(strings.TrimSpace(bound))
	if m == nil {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(bound)), "FOR VALUES WITH") {
			return "", false
		}
		return boundPredicate(bound, keys)
	}
	if l := rc.live.Tables[parent.Name]; l == nil || l.PartitionBy != parent.PartitionBy {
		return "", false
	}
	return fmt.Sprintf("satisfies_hash_partition(%s::regclass::oid, %s, %s, %s)",
		model.QuoteLiteral(parent.Name.String()), m[1], m[2], strings.Join(keys, ", ")), true
}
