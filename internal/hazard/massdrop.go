package hazard

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// DefaultMassDropThreshold is the percentage of live tables, views and
// sequences one migration may drop before the mass-drop guard refuses it.
const DefaultMassDropThreshold = 25

// MassDropCount is what a list of statements would drop of the live
// tables, views and sequences.
type MassDropCount struct {
	Dropped int // live objects the statements drop
	Live    int // live tables, views and sequences in the managed schemas
}

// Percent is Dropped as a percentage of Live, rounded down (5 of 8 is 62).
func (m MassDropCount) Percent() int {
	if m.Live == 0 {
		return 0
	}
	return m.Dropped * 100 / m.Live
}

// Exceeds reports whether the drops trip the guard at threshold percent:
// more than threshold percent of the live objects, or every one of them
// (a non-empty database wiped). An empty live database never trips it.
func (m MassDropCount) Exceeds(threshold int) bool {
	if m.Live == 0 || m.Dropped == 0 {
		return false
	}
	return m.Dropped*100 > threshold*m.Live || m.Wipes()
}

// Wipes reports whether every live object would be dropped: a refusal
// that no threshold lifts, only an explicit --allow-mass-drop.
func (m MassDropCount) Wipes() bool { return m.Live > 0 && m.Dropped == m.Live }

// AllowHint is how to go ahead anyway: --allow-mass-drop, or a higher
// threshold where one would do.
func (m MassDropCount) AllowHint() string {
	if m.Wipes() {
		return "--allow-mass-drop"
	}
	return "--allow-mass-drop (or raise --mass-drop-threshold)"
}

// Message is the refusal, e.g. "refusing to plan: 5 of 8 live objects
// (62%) would be dropped, exceeding the 25% mass-drop threshold"; verb is
// "plan" or "apply <file>".
func (m MassDropCount) Message(verb string, threshold int) string {
	return "refusing to " + verb + ": " + m.Describe(threshold)
}

// Describe says what trips the guard: "5 of 8 live objects (62%) would be
// dropped", then why (over the threshold, or emptying the database).
func (m MassDropCount) Describe(threshold int) string {
	msg := fmt.Sprintf("%d of %d live objects (%d%%) would be dropped", m.Dropped, m.Live, m.Percent())
	if m.Dropped*100 > threshold*m.Live {
		return msg + fmt.Sprintf(", exceeding the %d%% mass-drop threshold", threshold)
	}
	return msg + ", emptying the database"
}

// CountDrops counts the live tables, views and sequences that stmts drop
// and do not create again.
// A sequence owned by a column (serial) goes with its table or column, so
// it counts as dropped when they are: it is a live object that disappears,
// and the total counts it too. DROP SCHEMA … CASCADE drops everything in
// the schema.
func CountDrops(stmts []source.Statement, live *model.Model) (MassDropCount, error) {
	n := MassDropCount{Live: len(live.Tables) + len(live.Views) + len(live.Sequences)}
	gone := map[model.ObjectID]bool{}
	goneCols := map[model.ObjectID]bool{}
	drop := func(kind model.Kind, q model.QName) {
		ok := false
		switch kind {
		case model.KindTable:
			ok = live.Tables[q] != nil
		case model.KindView:
			ok = live.Views[q] != nil
		case model.KindSequence:
			ok = live.Sequences[q] != nil
		}
		if ok {
			gone[model.ID(kind, q)] = true
		}
	}
	for _, st := range stmts {
		if st.Unparsed {
			continue // a CREATE/ALTER TABLE in PostgreSQL 18 syntax drops no relation
		}
		tree, err := pg_query.Parse(st.SQL)
		if err != nil {
			return n, fmt.Errorf("%s:%d: %w", st.File, st.Line, err)
		}
		for _, raw := range tree.Stmts {
			if at := raw.Stmt.GetAlterTableStmt(); at != nil && at.Relation != nil {
				t := rangeVarName(at.Relation)
				for _, c := range at.Cmds {
					if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg_query.AlterTableType_AT_DropColumn {
						goneCols[model.ObjectID{Kind: model.KindColumn, Schema: t.Schema, Name: t.Name, Sub: cmd.Name}] = true
					}
				}
				continue
			}
			// A view (or any relation) created again under its name after
			// its drop is replaced, not lost: plans recreate views whose
			// columns change.
			switch n := raw.Stmt; {
			case n.GetViewStmt() != nil:
				delete(gone, model.ID(model.KindView, rangeVarName(n.GetViewStmt().View)))
			case n.GetCreateStmt() != nil:
				delete(gone, model.ID(model.KindTable, rangeVarName(n.GetCreateStmt().Relation)))
			case n.GetCreateSeqStmt() != nil:
				delete(gone, model.ID(model.KindSequence, rangeVarName(n.GetCreateSeqStmt().Sequence)))
			case n.GetCreateTableAsStmt() != nil && n.GetCreateTableAsStmt().Into != nil:
				delete(gone, model.ID(model.KindView, rangeVarName(n.GetCreateTableAsStmt().Into.Rel)))
			}
			s := raw.Stmt.GetDropStmt()
			if s == nil {
				continue
			}
			for _, obj := range s.Objects {
				switch s.RemoveType {
				case pg_query.ObjectType_OBJECT_TABLE:
					if q, ok := listToQName(obj); ok {
						drop(model.KindTable, q)
					}
				case pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW:
					if q, ok := listToQName(obj); ok {
						drop(model.KindView, q)
					}
				case pg_query.ObjectType_OBJECT_SEQUENCE:
					if q, ok := listToQName(obj); ok {
						drop(model.KindSequence, q)
					}
				case pg_query.ObjectType_OBJECT_SCHEMA:
					sv := obj.GetString_()
					if sv == nil || s.Behavior != pg_query.DropBehavior_DROP_CASCADE {
						continue
					}
					for q := range live.Tables {
						if q.Schema == sv.Sval {
							drop(model.KindTable, q)
						}
					}
					for q := range live.Views {
						if q.Schema == sv.Sval {
							drop(model.KindView, q)
						}
					}
					for q := range live.Sequences {
						if q.Schema == sv.Sval {
							drop(model.KindSequence, q)
						}
					}
				}
			}
		}
	}
	for q, seq := range live.Sequences {
		if o := seq.OwnedBy; o != nil {
			col := model.ObjectID{Kind: model.KindColumn, Schema: o.Table.Schema, Name: o.Table.Name, Sub: o.Column}
			if gone[model.ID(model.KindTable, o.Table)] || goneCols[col] {
				gone[model.ID(model.KindSequence, q)] = true
			}
		}
	}
	n.Dropped = len(gone)
	return n, nil
}
