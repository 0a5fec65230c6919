package dump

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// nameDataLen is PostgreSQL's NAMEDATALEN: identifiers are at most
// nameDataLen-1 bytes.
const nameDataLen = 64

// IndexSQL returns the statements that declare ix, an index of m, on its
// own, apart from the tables it is on (pull writes an index the source
// lacks on a table the source declares). steps returns the plan that
// creates m (as Objects builds it); it is called only when needed.
//
// pg_get_indexdef spells an index of a partitioned table ON ONLY, which
// alone builds no index of the partitions and leaves the index invalid.
// Where every partition has its index, under the name PostgreSQL gives it,
// the index is written as CREATE INDEX … ON the parent, which creates
// them. Otherwise it is written as dump writes it: ON ONLY, then each
// partition's index by its name and the ALTER INDEX … ATTACH PARTITION
// that attaches it.
func IndexSQL(m *model.Model, ix *model.Index, steps func() ([]plan.Step, error)) ([]string, error) {
	def := strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";") + ";"
	if len(ix.Partitions) == 0 && len(partitionTree(m, ix.Table)) == 0 {
		return []string{def}, nil
	}
	if plain, ok := generatedPartitionIndexes(m, ix); ok {
		return []string{plain}, nil
	}
	all, err := steps()
	if err != nil {
		return nil, err
	}
	ids := map[model.ObjectID]bool{model.ID(model.KindIndex, ix.Name): true}
	for _, c := range ix.Partitions {
		ids[model.ID(model.KindIndex, model.QName{Schema: c.Table.Schema, Name: c.Name})] = true
	}
	var out []string
	for _, st := range all {
		if !ids[st.Object] {
			continue
		}
		if sql, ok := SourceSQL(m, st); ok {
			out = append(out, sql)
		}
	}
	if len(out) == 0 {
		return []string{def}, nil
	}
	return out, nil
}

// generatedPartitionIndexes returns ix as CREATE INDEX … ON its
// partitioned table (not ONLY), and whether that makes exactly the
// partition indexes m has: every partition, at every level, has an index
// attached to ix under the name PostgreSQL gives it.
func generatedPartitionIndexes(m *model.Model, ix *model.Index) (string, bool) {
	def := strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";")
	if !strings.Contains(def, " ON ONLY ") {
		return "", false
	}
	tree := partitionTree(m, ix.Table)
	if len(tree) != len(ix.Partitions) {
		return "", false // a partition without the index: it is invalid
	}
	for _, c := range ix.Partitions {
		if !tree[c.Table] {
			return "", false
		}
		if name, ok := PartitionIndexName(m, ix, c.Table); !ok || name != c.Name {
			return "", false
		}
	}
	return strings.Replace(def, " ON ONLY ", " ON ", 1) + ";", true
}

// partitionTree returns the partitions of a table at every level below it.
func partitionTree(m *model.Model, parent model.QName) map[model.QName]bool {
	out := map[model.QName]bool{}
	for _, t := range m.Tables {
		for p, d := t, 0; p != nil && p.PartitionOf != nil && d < 64; p, d = m.Tables[*p.PartitionOf], d+1 {
			if *p.PartitionOf == parent {
				out[t.Name] = true
				break
			}
		}
	}
	return out
}

// PartitionIndexName returns the name PostgreSQL gives the index of
// partition table that it creates for ix (CREATE INDEX on the parent,
// CREATE TABLE … PARTITION OF, ALTER TABLE … ATTACH PARTITION):
// <table>_<columns>_idx (ChooseIndexName). False where pg-flux cannot
// tell: a definition it cannot read, an index on expressions, a name
// PostgreSQL would shorten, or one that another relation of m has
// (PostgreSQL numbers the name when it is taken at the time, which m does
// not record) unless it is table's own index of ix.
func PartitionIndexName(m *model.Model, ix *model.Index, table model.QName) (string, bool) {
	cols, ok := indexColumnNames(ix.Definition)
	if !ok {
		return "", false
	}
	name := table.Name + "_" + strings.Join(cols, "_") + "_idx"
	if len(name) >= nameDataLen {
		return "", false
	}
	q := model.QName{Schema: table.Schema, Name: name}
	if m.Tables[q] != nil || m.Indexes[q] != nil || m.Sequences[q] != nil || m.Views[q] != nil || m.MatViews[q] != nil {
		return "", false
	}
	for _, t := range m.Tables {
		if t.Name.Schema != table.Schema {
			continue
		}
		for _, c := range t.Constraints {
			if c.Name == name && (c.Type == model.PrimaryKey || c.Type == model.Unique || c.Type == model.Exclusion) {
				return "", false
			}
		}
	}
	for _, other := range m.Indexes {
		for _, c := range other.Partitions {
			if c.Table.Schema == table.Schema && c.Name == name && (other != ix || c.Table != table) {
				return "", false
			}
		}
	}
	return name, true
}

// indexColumnNames returns the names PostgreSQL gives the columns of an
// index (ChooseIndexColumnNames): a column's name, numbered where repeated;
// INCLUDE columns count. False for an index on expressions.
func indexColumnNames(def string) ([]string, bool) {
	tree, err := pg_query.Parse(def)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, false
	}
	st := tree.Stmts[0].Stmt.GetIndexStmt()
	if st == nil {
		return nil, false
	}
	var out []string
	taken := map[string]bool{}
	for _, n := range append(append([]*pg_query.Node(nil), st.IndexParams...), st.IndexIncludingParams...) {
		e := n.GetIndexElem()
		if e == nil {
			return nil, false
		}
		if e.Name == "" {
			// An expression: PostgreSQL names it after what it reads
			// (FigureIndexColname), a function's name, a cast's type, or
			// "expr".
			return nil, false
		}
		orig, name := e.Name, e.Name
		for i := 1; taken[name]; i++ {
			name = orig + strconv.Itoa(i)
		}
		if len(name) >= nameDataLen {
			return nil, false
		}
		taken[name] = true
		out = append(out, name)
	}
	return out, len(out) > 0
}
