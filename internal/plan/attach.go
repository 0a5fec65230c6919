package plan

import (
	"fmt"

	"github.com/pg-flux/pg-flux/internal/model"
)

// What ATTACH and DETACH PARTITION do to indexes, and how the plan makes
// the result the source's.
//
// ATTACH PARTITION gives each index of the parent an index of the new
// partition: the first of the table's unattached indexes (by OID) that
// matches, else one PostgreSQL builds and names. When the table has a
// matching index the source keeps as an index of its own, PostgreSQL may
// take that one, so the plan builds the one the source attaches first and
// then swaps the two names where PostgreSQL chose the other.
//
// DETACH PARTITION leaves the partition's attached indexes on it as indexes
// of its own; those the source does not declare on the table are dropped.

// attachIndexSteps returns the steps before and after attaching the live
// table d (a leaf partition in desired) that make its attached indexes
// those the source names.
func (b *builder) attachIndexSteps(d *model.Table) (before, after []Step) {
	if d.PartitionBy != "" {
		return nil, nil
	}
	for _, p := range b.desired.IndexesOn(*d.PartitionOf) {
		if b.live.Indexes[p.Name] == nil || b.droppedIdx[p.Name] {
			continue // created after the attach, with its partitions' indexes named
		}
		want := ""
		for _, c := range p.Partitions {
			if c.Table == d.Name {
				want = c.Name
			}
		}
		if want == "" {
			continue
		}
		var matching []string
		hasWant := false
		for _, l := range b.live.IndexesOn(d.Name) {
			if b.droppedIdx[l.Name] {
				continue
			}
			if !isChildIndex(p, l) {
				continue
			}
			matching = append(matching, l.Name.Name)
			hasWant = hasWant || l.Name.Name == want
		}
		if len(matching) == 0 || len(matching) == 1 && hasWant {
			continue // PostgreSQL builds or takes the one the source names
		}
		name := model.QName{Schema: d.Name.Schema, Name: want}
		if !hasWant {
			def, ok := childIndexDef(p, d.Name, want, false)
			if cc, ok2 := concurrentCreate(def, want, want); ok && ok2 {
				before = append(before, marked(Step{SQL: cc + ";", Summary: "create index " + name.String() + " on " + d.Name.String() + " to attach to " + p.Name.String(),
					Object: indexID(name), Isolation: NoTransaction, Owner: tableID(d.Name)}, RewriteConcurrentIndex))
			}
		}
		after = append(after, swapAttachedIndex(p.Name, d.Name, want))
	}
	return before, after
}

// swapAttachedIndex makes the index of table attached to parentIndex the
// one named want: where PostgreSQL attached another matching index, the
// two trade names (same definition, so nothing else changes).
func swapAttachedIndex(parentIndex, table model.QName, want string) Step {
	sql := fmt.Sprintf(`DO $pgflux$
DECLARE
  got text;
BEGIN
  %[1]s
  IF got <> %[2]s THEN
    EXECUTE format('ALTER INDEX %%I.%%I RENAME TO pgflux_attach_swap', %[3]s, got);
    EXECUTE format('ALTER INDEX %%I.%%I RENAME TO %%I', %[3]s, %[2]s, got);
    EXECUTE format('ALTER INDEX %%I.pgflux_attach_swap RENAME TO %%I', %[3]s, %[2]s);
  END IF;
END
$pgflux$`, attachedIndexSelect("got", parentIndex, table), model.QuoteLiteral(want), model.QuoteLiteral(table.Schema))
	name := model.QName{Schema: table.Schema, Name: want}
	return step(sql, fmt.Sprintf("attach %s to %s (the index PostgreSQL chose trades names with it)", name, parentIndex), indexID(name))
}

// detachedIndexDrops drops the indexes a detached partition keeps of its
// old parent's indexes that the source does not declare on it as they are.
// A key's index goes with the key; a table that joins another parent may
// have them attached there.
func (b *builder) detachedIndexDrops(name model.QName) []Step {
	l, d := b.live.Tables[name], b.desired.Tables[name]
	if d == nil || d.PartitionOf != nil {
		return nil
	}
	var out []Step
	for _, p := range b.live.SortedIndexes() {
		if b.droppedIdx[p.Name] {
			continue // dropped before the detach, with its partitions' indexes
		}
		for _, c := range p.Partitions {
			if c.Table != name || partitionKeyIndex(l, c.Name) {
				continue
			}
			ix := model.QName{Schema: name.Schema, Name: c.Name}
			if want := b.desired.Indexes[ix]; want != nil && want.Table == name && isChildIndex(p, want) {
				continue
			}
			out = append(out, step("DROP INDEX "+ix.String(), "drop index "+ix.String()+" left by the detach", indexID(ix)))
		}
	}
	return out
}

// attachedIndexSelect is the PL/pgSQL statement that puts into variable
// the name of table's index attached to parentIndex, which PostgreSQL
// chose or named.
func attachedIndexSelect(variable string, parentIndex, table model.QName) string {
	return fmt.Sprintf(`SELECT c.relname INTO STRICT %s FROM pg_inherits h JOIN pg_index i ON i.indexrelid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid
   WHERE h.inhparent = %s::regclass AND i.indrelid = %s::regclass;`, variable, model.QuoteLiteral(parentIndex.String()), model.QuoteLiteral(table.String()))
}
