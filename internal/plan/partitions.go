package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Indexes of partitioned tables are built online, the way pg_dump lays
// them out but without its locks: the parent's index ON ONLY (no rows are
// read), each partition's index CONCURRENTLY (a partition is an ordinary
// table, so writers are never blocked), then ALTER INDEX … ATTACH
// PARTITION, which only records the attachment. A partition that already
// has an index of the same definition under the name desired gives it
// keeps it: it is attached, not built again.

// childIndexDef is the definition of ix for one of its partitions (or ix
// itself), ON ONLY when only; false when ix.Definition does not read as
// pg_get_indexdef spells it.
func childIndexDef(ix *model.Index, table model.QName, name string, only bool) (string, bool) {
	def := strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";")
	create := "CREATE INDEX "
	if ix.Unique {
		create = "CREATE UNIQUE INDEX "
	}
	rest, ok := strings.CutPrefix(def, create+model.QuoteIdent(ix.Name.Name)+" ON ")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "ONLY ")
	if rest, ok = strings.CutPrefix(rest, ix.Table.String()+" "); !ok {
		return "", false
	}
	on := " ON "
	if only {
		on = " ON ONLY "
	}
	return create + model.QuoteIdent(name) + on + table.String() + " " + rest, true
}

// createPartitionedIndex creates an index of a partitioned table: ON ONLY,
// then each partition's index by its name, attached bottom up. The
// partitions' index names are kept, and a partition left without one
// leaves the index invalid, as in the desired schema.
func (b *builder) createPartitionedIndex(ix *model.Index) []Step {
	def, ok := childIndexDef(ix, ix.Table, ix.Name.Name, true)
	if !ok || !b.hasPartitions(ix.Table) {
		return []Step{createIndex(ix)}
	}
	out := []Step{step(def, "create index "+ix.Name.String(), indexID(ix.Name))}
	steps, ok := b.partitionIndexSteps(ix, ix.Partitions)
	if !ok {
		return []Step{createIndex(ix)}
	}
	return append(out, steps...)
}

// hasPartitions reports whether a table has partitions in the desired
// schema (without any, CREATE INDEX … ON and ON ONLY are the same).
func (b *builder) hasPartitions(name model.QName) bool { return b.desiredParents[name] }

// partitionIndexSteps creates and attaches the given partition indexes of
// ix (their parents' indexes exist or are created first). A leaf partition
// that holds rows gets its index CONCURRENTLY; one that already has the
// index (reusedPartitionIndex) only has it attached.
func (b *builder) partitionIndexSteps(ix *model.Index, children []model.PartitionIndex) ([]Step, bool) {
	byTable := map[model.QName]string{ix.Table: ix.Name.Name}
	for _, c := range ix.Partitions {
		byTable[c.Table] = c.Name
	}
	var creates, attaches []Step
	sorted := append([]model.PartitionIndex(nil), children...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return b.desired.PartitionDepth(sorted[i].Table) > b.desired.PartitionDepth(sorted[j].Table)
	})
	for _, c := range sorted {
		t := b.desired.Tables[c.Table]
		if t == nil || t.PartitionOf == nil {
			return nil, false
		}
		parent, ok := byTable[*t.PartitionOf]
		leaf := t.PartitionBy == ""
		def, ok2 := childIndexDef(ix, c.Table, c.Name, !leaf)
		if !ok || !ok2 {
			return nil, false
		}
		name := model.QName{Schema: c.Table.Schema, Name: c.Name}
		switch {
		case leaf && b.reusedPartitionIndex(ix, c), leaf && partitionKeyIndex(t, c.Name):
			// Attached as it is; a key of the partition makes its own
			// index, before indexes are built.
		case leaf && b.tableKept(c.Table):
			cc, ok := concurrentCreate(def, c.Name, c.Name)
			if !ok {
				return nil, false
			}
			create := marked(Step{SQL: cc + ";", Summary: "create index " + name.String() + " on partition " + c.Table.String(),
				Object: indexID(name), Isolation: NoTransaction, Owner: tableID(c.Table)}, RewriteConcurrentIndex)
			creates = append(creates, create)
		default:
			create := step(def, "create index "+name.String()+" on partition "+c.Table.String(), indexID(name))
			create.Owner = tableID(c.Table)
			creates = append(creates, create)
		}
		attach := step(fmt.Sprintf("ALTER INDEX %s ATTACH PARTITION %s", model.QName{Schema: (*t.PartitionOf).Schema, Name: parent}, name),
			"attach index "+name.String()+" to "+parent, indexID(name))
		attach.Owner = tableID(c.Table)
		attaches = append(attaches, attach)
	}
	return append(creates, attaches...), true
}

// partitionKeyIndex reports whether a partition's index of that name is the
// index of one of its own unique or primary keys.
func partitionKeyIndex(t *model.Table, name string) bool {
	if t == nil {
		return false
	}
	c := t.Constraints[name]
	return c != nil && (c.Type == model.PrimaryKey || c.Type == model.Unique)
}

// tableKept reports whether a live table stays (it holds rows the plan
// keeps).
func (b *builder) tableKept(name model.QName) bool {
	return b.live.Tables[name] != nil && b.desired.Tables[name] != nil && !b.droppedTables[name]
}

// reusedPartitionIndex reports whether the live index that partition c's
// index of a newly created ix would be, by name, is a standalone index of
// the same table with the same definition: it is attached rather than
// dropped and built again.
func (b *builder) reusedPartitionIndex(ix *model.Index, c model.PartitionIndex) bool {
	if b.live.Indexes[ix.Name] != nil || !b.tableKept(c.Table) || !b.partitionStays(c.Table) {
		return false
	}
	name := model.QName{Schema: c.Table.Schema, Name: c.Name}
	l := b.live.Indexes[name]
	if l == nil || l.Table != c.Table || len(l.Partitions) > 0 || b.desired.Indexes[name] != nil {
		return false
	}
	return isChildIndex(ix, l)
}

// isChildIndex reports whether l, an index of a table, is what ix defines
// for that table as a partition (same definition, l's own name).
func isChildIndex(ix, l *model.Index) bool {
	def, ok := childIndexDef(ix, l.Table, l.Name.Name, false)
	return ok && strings.TrimSuffix(strings.TrimSpace(l.Definition), ";") == def
}

// partitionIndexReused reports whether a live index that desired does not
// have as an index of its own becomes a partition index of a new index.
func (b *builder) partitionIndexReused(name model.QName) bool {
	for _, d := range b.desired.Indexes {
		for _, c := range d.Partitions {
			if c.Table.Schema == name.Schema && c.Name == name.Name && b.reusedPartitionIndex(d, c) {
				return true
			}
		}
	}
	return false
}

// partitionNotNullSteps sets or drops NOT NULL on a partition's column where
// the partition differs from what its parent's change leaves it with: a
// key declared on the partition alone made its columns NOT NULL there, and
// they go with it when the source does not declare them.
func (b *builder) partitionNotNullSteps(d *model.Table) {
	l := b.live.Tables[d.Name]
	if l == nil || d.PartitionOf == nil {
		return
	}
	lp, dp := b.live.Tables[*d.PartitionOf], b.desired.Tables[*d.PartitionOf]
	for _, dc := range d.Columns {
		lc := l.Column(dc.Name)
		if lc == nil {
			continue
		}
		after := lc.NotNull
		if lp != nil && dp != nil {
			if lpc, dpc := lp.Column(dc.Name), dp.Column(dc.Name); lpc != nil && dpc != nil && lpc.NotNull != dpc.NotNull {
				after = dpc.NotNull // the parent's change recurses
			}
		}
		switch {
		case dc.NotNull && !after:
			b.add(phaseColumns, alterColumn(d.Name, dc.Name, "SET NOT NULL", "set not null"))
		case !dc.NotNull && after:
			b.add(phaseColumns, alterColumn(d.Name, dc.Name, "DROP NOT NULL", "drop not null"))
		}
	}
}

// referencedTables are the tables a foreign key in m references.
func referencedTables(m *model.Model) map[model.QName]bool {
	out := map[model.QName]bool{}
	for _, t := range m.Tables {
		for _, c := range t.Constraints {
			if c.Type == model.ForeignKey && c.References != nil {
				out[*c.References] = true
			}
		}
	}
	return out
}

// inReferencedTree reports whether the table or one of the partitioned
// tables above it is in referenced.
func inReferencedTree(m *model.Model, name model.QName, referenced map[model.QName]bool) bool {
	for t := m.Tables[name]; t != nil; t = m.Tables[*t.PartitionOf] {
		if referenced[t.Name] {
			return true
		}
		if t.PartitionOf == nil {
			return false
		}
	}
	return false
}

// dropIndexWithKeys drops an index, with CASCADE when partitions' own keys
// depend on it (cascadeKeys): the plan drops exactly those, which the copy
// of live proves.
func (b *builder) dropIndexWithKeys(name model.QName) Step {
	s := dropIndex(name)
	for _, c := range b.live.Indexes[name].Partitions {
		if b.cascadedKeys[constraintID(c.Table, c.Name)] {
			s.SQL = strings.TrimSuffix(s.SQL, ";") + " CASCADE;"
			s.Summary += " and the partition keys attached to it"
			break
		}
	}
	return s
}
