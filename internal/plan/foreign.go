package plan

import (
	"fmt"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// ---------------------------------------------------------------- foreign servers and tables

// emitForeign creates, alters and drops foreign servers, and alters the
// options of foreign tables on both sides. Foreign tables are created and
// dropped with the other tables (createTable, dropTable). What PostgreSQL
// cannot alter in place is refused with the way out: a server's wrapper,
// a foreign table's server, a table becoming foreign or ceasing to be.
func (b *builder) emitForeign() error {
	for _, d := range b.desired.SortedServers() {
		l := b.live.Servers[d.Name]
		if l == nil && d.WrapperExtension == "" {
			return fmt.Errorf("plan: foreign server %s uses the foreign-data wrapper %s, which no extension creates; "+
				"pg-flux manages foreign-data wrappers only through their extensions (CREATE EXTENSION)",
				model.QuoteIdent(d.Name), model.QuoteIdent(d.Wrapper))
		}
		if l != nil && l.Wrapper != d.Wrapper {
			return fmt.Errorf("plan: foreign server %s changes its foreign-data wrapper (%s → %s), which PostgreSQL cannot alter: "+
				"declare a server of another name", model.QuoteIdent(d.Name), model.QuoteIdent(l.Wrapper), model.QuoteIdent(d.Wrapper))
		}
	}
	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		if l == nil || b.droppedTables[d.Name] {
			continue
		}
		switch {
		case (l.Foreign == nil) != (d.Foreign == nil):
			return fmt.Errorf("plan: table %s changes between a table and a foreign table; declare it under another name", d.Name)
		case d.Foreign != nil && l.Foreign.Server != d.Foreign.Server:
			return fmt.Errorf("plan: foreign table %s changes its server (%s → %s), which PostgreSQL cannot alter; "+
				"declare it under another name", d.Name, model.QuoteIdent(l.Foreign.Server), model.QuoteIdent(d.Foreign.Server))
		}
	}

	for _, l := range b.live.SortedServers() {
		if b.desired.Servers[l.Name] == nil {
			// Before the extension of its wrapper; its foreign tables are
			// gone by then.
			b.add(phaseDropBeforeExtensions, step("DROP SERVER "+model.QuoteIdent(l.Name), "drop "+l.ID().String(), l.ID()))
		}
	}
	for _, d := range b.desired.SortedServers() {
		id := d.ID()
		l := b.live.Servers[d.Name]
		if l == nil {
			b.add(phaseEnums, createServer(d))
			if d.Comment != "" {
				b.add(phaseComments, comment(id, "SERVER "+model.QuoteIdent(d.Name), d.Comment))
			}
			continue
		}
		name := "ALTER SERVER " + model.QuoteIdent(d.Name)
		if l.Version != d.Version {
			// A version cannot be removed, only replaced.
			b.add(phaseEnums, step(name+" VERSION "+model.QuoteLiteral(d.Version), "set the version of "+id.String(), id))
		}
		if opts := alterOptions(l.Options, d.Options); opts != "" {
			b.add(phaseEnums, step(name+" OPTIONS ("+opts+")", "set the options of "+id.String(), id))
		}
		if l.Comment != d.Comment {
			b.add(phaseComments, comment(id, "SERVER "+model.QuoteIdent(d.Name), d.Comment))
		}
	}

	for _, d := range b.desired.SortedTables() {
		l := b.live.Tables[d.Name]
		if l == nil || b.droppedTables[d.Name] || d.Foreign == nil {
			continue
		}
		name := "ALTER FOREIGN TABLE " + d.Name.String()
		if opts := alterOptions(l.Foreign.Options, d.Foreign.Options); opts != "" {
			b.add(phaseColumns, step(name+" OPTIONS ("+opts+")", "set the options of foreign table "+d.Name.String(), tableID(d.Name)))
		}
		for _, dc := range d.Columns {
			lc := l.Column(dc.Name)
			if lc == nil || b.recreatedCols[colKey{d.Name, dc.Name}] {
				continue // added with its options
			}
			if opts := alterOptions(lc.FDWOptions, dc.FDWOptions); opts != "" {
				id := columnID(d.Name, dc.Name)
				b.add(phaseColumns, step(name+" ALTER COLUMN "+model.QuoteIdent(dc.Name)+" OPTIONS ("+opts+")",
					"set the options of "+id.String(), id))
			}
		}
	}
	return nil
}

func createServer(s *model.ForeignServer) Step {
	sql := "CREATE SERVER " + model.QuoteIdent(s.Name)
	if s.Type != "" {
		sql += " TYPE " + model.QuoteLiteral(s.Type)
	}
	if s.Version != "" {
		sql += " VERSION " + model.QuoteLiteral(s.Version)
	}
	sql += " FOREIGN DATA WRAPPER " + model.QuoteIdent(s.Wrapper)
	if len(s.Options) > 0 {
		sql += " OPTIONS (" + model.FDWOptions(s.Options) + ")"
	}
	return step(sql, "create "+s.ID().String(), s.ID())
}

// foreignTableClauses ends CREATE FOREIGN TABLE: SERVER and OPTIONS.
func foreignTableClauses(f *model.ForeignTable) string {
	s := " SERVER " + model.QuoteIdent(f.Server)
	if len(f.Options) > 0 {
		s += " OPTIONS (" + model.FDWOptions(f.Options) + ")"
	}
	return s
}

// alterOptions is the list of an OPTIONS ( … ) clause that turns options
// live into desired (both "key=value"): DROP, SET and ADD actions; "" when
// they are the same.
func alterOptions(live, desired []string) string {
	set, reset := optionChanges(live, desired)
	had := map[string]bool{}
	for _, o := range live {
		k, _, _ := strings.Cut(o, "=")
		had[k] = true
	}
	var parts []string
	for _, k := range reset {
		parts = append(parts, "DROP "+model.QuoteIdent(k))
	}
	for _, o := range set {
		k, _, _ := strings.Cut(o, "=")
		verb := "ADD "
		if had[k] {
			verb = "SET "
		}
		parts = append(parts, verb+model.FDWOptions([]string{o}))
	}
	return strings.Join(parts, ", ")
}
