package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// One generator per object kind and operation. Each returns complete steps;
// every identifier goes through model.QuoteIdent or QName.String, and every
// definition is PostgreSQL's own deparsed text from the model.

func step(sql, summary string, id model.ObjectID) Step {
	return Step{SQL: sql + ";", Summary: summary, Object: id}
}

func schemaID(name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindSchema, Name: name}
}

func columnID(table model.QName, column string) model.ObjectID {
	return model.ObjectID{Kind: model.KindColumn, Schema: table.Schema, Name: table.Name, Sub: column}
}

func constraintID(table model.QName, name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindConstraint, Schema: table.Schema, Name: table.Name, Sub: name}
}

// --- schemas

// createSchema uses IF NOT EXISTS because a fresh database always has
// schemas of its own (public) that an empty model does not list, and
// recreating a model in such a database must not fail on them.
func createSchema(name string) Step {
	return step("CREATE SCHEMA IF NOT EXISTS "+model.QuoteIdent(name), "create schema "+model.QuoteIdent(name), schemaID(name))
}

func dropSchema(name string) Step {
	return step("DROP SCHEMA "+model.QuoteIdent(name), "drop schema "+model.QuoteIdent(name), schemaID(name))
}

// --- enums

func enumID(name model.QName) model.ObjectID { return model.ID(model.KindEnum, name) }

func createEnum(e *model.Enum) Step {
	labels := make([]string, len(e.Labels))
	for i, l := range e.Labels {
		labels[i] = model.QuoteLiteral(l)
	}
	return step(fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", e.Name, strings.Join(labels, ", ")),
		"create type "+e.Name.String(), enumID(e.Name))
}

// addEnumValues adds the labels of desired missing in live, each in its
// position. live's labels must be a subsequence of desired's. Each step
// commits on its own: a value added by ADD VALUE cannot be used in the
// transaction that added it.
func addEnumValues(name model.QName, live, desired []string) []Step {
	have := map[string]bool{}
	for _, l := range live {
		have[l] = true
	}
	var out []Step
	for i, l := range desired {
		if have[l] {
			continue
		}
		sql := fmt.Sprintf("ALTER TYPE %s ADD VALUE %s", name, model.QuoteLiteral(l))
		switch {
		case i > 0:
			sql += " AFTER " + model.QuoteLiteral(desired[i-1])
		case len(live) > 0:
			sql += " BEFORE " + model.QuoteLiteral(live[0])
		}
		s := step(sql, fmt.Sprintf("add value %s to type %s", model.QuoteLiteral(l), name), enumID(name))
		s.Isolation = OwnTransaction
		out = append(out, s)
		have[l] = true
	}
	return out
}

func renameEnum(name model.QName, to string) Step {
	return step(fmt.Sprintf("ALTER TYPE %s RENAME TO %s", name, model.QuoteIdent(to)),
		fmt.Sprintf("rename type %s to %s", name, model.QuoteIdent(to)), enumID(name))
}

func dropEnum(name model.QName) Step {
	return step("DROP TYPE "+name.String(), "drop type "+name.String(), enumID(name))
}

// --- sequences

func sequenceID(name model.QName) model.ObjectID { return model.ID(model.KindSequence, name) }

func createSequence(s *model.Sequence) Step {
	opts := []string{
		"AS " + s.Type,
		"INCREMENT BY " + itoa(s.Increment),
		"MINVALUE " + itoa(s.Min),
		"MAXVALUE " + itoa(s.Max),
		"START WITH " + itoa(s.Start),
		"CACHE " + itoa(s.Cache),
		cycle(s.Cycle),
	}
	return step("CREATE SEQUENCE "+s.Name.String()+" "+strings.Join(opts, " "),
		"create sequence "+s.Name.String(), sequenceID(s.Name))
}

// alterSequence changes the options that differ. A new AS type resets
// bounds that were the old type's, so they are then always spelled out.
func alterSequence(l, d *model.Sequence) (Step, bool) {
	var opts []string
	if l.Type != d.Type {
		opts = append(opts, "AS "+d.Type)
	}
	if l.Increment != d.Increment {
		opts = append(opts, "INCREMENT BY "+itoa(d.Increment))
	}
	if l.Min != d.Min || l.Type != d.Type {
		opts = append(opts, "MINVALUE "+itoa(d.Min))
	}
	if l.Max != d.Max || l.Type != d.Type {
		opts = append(opts, "MAXVALUE "+itoa(d.Max))
	}
	if l.Start != d.Start {
		opts = append(opts, "START WITH "+itoa(d.Start))
	}
	if l.Cache != d.Cache {
		opts = append(opts, "CACHE "+itoa(d.Cache))
	}
	if l.Cycle != d.Cycle {
		opts = append(opts, cycle(d.Cycle))
	}
	if len(opts) > 0 && outOfBounds(l, d) {
		opts = append(opts, "RESTART")
	}
	if len(opts) == 0 {
		return Step{}, false
	}
	return step("ALTER SEQUENCE "+d.Name.String()+" "+strings.Join(opts, " "),
		"alter sequence "+d.Name.String(), sequenceID(d.Name)), true
}

func sequenceOwnedBy(name model.QName, owner *model.ColumnRef) Step {
	to := "NONE"
	if owner != nil {
		to = owner.Table.String() + "." + model.QuoteIdent(owner.Column)
	}
	return step("ALTER SEQUENCE "+name.String()+" OWNED BY "+to, "alter sequence "+name.String()+" owned by "+strings.ToLower(to), sequenceID(name))
}

func dropSequence(name model.QName) Step {
	return step("DROP SEQUENCE "+name.String(), "drop sequence "+name.String(), sequenceID(name))
}

func cycle(c bool) string {
	if c {
		return "CYCLE"
	}
	return "NO CYCLE"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// --- tables and columns

func tableID(name model.QName) model.ObjectID { return model.ID(model.KindTable, name) }

// createTable creates a table with its columns and its validated constraints
// other than foreign keys (those wait until every table exists; NOT VALID
// ones are added afterwards, since CREATE TABLE would validate them).
func createTable(t *model.Table) Step {
	var lines []string
	for _, c := range t.Columns {
		if c.Inherited { // INHERITS brings it
			continue
		}
		lines = append(lines, "    "+columnDefinition(t.Name, c))
	}
	for _, c := range t.SortedConstraints() {
		if inlineConstraint(c) {
			lines = append(lines, fmt.Sprintf("    CONSTRAINT %s %s", model.QuoteIdent(c.Name), c.Definition))
		}
	}
	body := "()"
	if len(lines) > 0 {
		body = "(\n" + strings.Join(lines, ",\n") + "\n)"
	}
	if t.Foreign != nil {
		return step("CREATE FOREIGN TABLE "+t.Name.String()+" "+body+foreignTableClauses(t.Foreign),
			"create foreign table "+t.Name.String(), tableID(t.Name))
	}
	if len(t.Inherits) > 0 {
		body += " INHERITS (" + parentNames(t.Inherits) + ")"
	}
	return step("CREATE "+persistence(t)+"TABLE "+t.Name.String()+" "+body+tableClauses(t), "create table "+t.Name.String(), tableID(t.Name))
}

// inlineConstraint reports whether CREATE TABLE declares the constraint.
func inlineConstraint(c *model.Constraint) bool {
	return c.Type != model.ForeignKey && c.Validated
}

func dropTable(t *model.Table) Step {
	if t.Foreign != nil {
		return step("DROP FOREIGN TABLE "+t.Name.String(), "drop foreign table "+t.Name.String(), tableID(t.Name))
	}
	return step("DROP TABLE "+t.Name.String(), "drop table "+t.Name.String(), tableID(t.Name))
}

// columnDefinition is the column as CREATE TABLE and ADD COLUMN spell it.
func columnDefinition(table model.QName, c *model.Column) string {
	var b strings.Builder
	b.WriteString(model.QuoteIdent(c.Name) + " " + c.Type)
	if c.Compression != "" {
		b.WriteString(" COMPRESSION " + c.Compression)
	}
	if len(c.FDWOptions) > 0 {
		b.WriteString(" OPTIONS (" + model.FDWOptions(c.FDWOptions) + ")")
	}
	if c.Collation != "" {
		b.WriteString(" COLLATE " + c.Collation)
	}
	switch {
	case c.Generated != "" && c.Virtual:
		b.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ") VIRTUAL")
	case c.Generated != "":
		b.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ") STORED")
	case c.Default != "":
		b.WriteString(" DEFAULT " + c.Default)
	}
	if c.Identity != model.IdentityNone {
		b.WriteString(identityClause(table, c))
	}
	if c.NotNull {
		b.WriteString(" NOT NULL")
	}
	return b.String()
}

// identityClause is " GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(options)]",
// with only the sequence options that differ from what PostgreSQL would
// choose, so ordinary identity columns read as they were written.
func identityClause(table model.QName, c *model.Column) string {
	s := " GENERATED " + identityKind(c.Identity) + " AS IDENTITY"
	if opts := identityOptions(table, c); len(opts) > 0 {
		s += " (" + strings.Join(opts, " ") + ")"
	}
	return s
}

func identityKind(k string) string {
	if k == model.IdentityAlways {
		return "ALWAYS"
	}
	return "BY DEFAULT"
}

func identityOptions(table model.QName, c *model.Column) []string {
	s := c.IdentitySequence
	if s == nil {
		return nil
	}
	var opts []string
	if s.Name.Name != "" && (s.Name.Schema != table.Schema || s.Name.Name != defaultIdentitySequenceName(table.Name, c.Name)) {
		opts = append(opts, "SEQUENCE NAME "+s.Name.String())
	}
	typ := s.Type
	if typ == "" {
		typ = c.Type
	}
	min, max := sequenceBounds(typ, s.Increment)
	if s.Increment != 1 && s.Increment != 0 {
		opts = append(opts, "INCREMENT BY "+itoa(s.Increment))
	}
	if s.Min != min {
		opts = append(opts, "MINVALUE "+itoa(s.Min))
	}
	if s.Max != max {
		opts = append(opts, "MAXVALUE "+itoa(s.Max))
	}
	start := s.Min
	if s.Increment < 0 {
		start = s.Max
	}
	if s.Start != start {
		opts = append(opts, "START WITH "+itoa(s.Start))
	}
	if s.Cache > 1 {
		opts = append(opts, "CACHE "+itoa(s.Cache))
	}
	if s.Cycle {
		opts = append(opts, "CYCLE")
	}
	return opts
}

// defaultIdentitySequenceName is the name PostgreSQL gives the implicit
// sequence of an identity column when it is free and short enough; any
// other name is spelled out with SEQUENCE NAME.
func defaultIdentitySequenceName(table, column string) string {
	n := table + "_" + column + "_seq"
	if len(n) > 63 {
		return ""
	}
	return n
}

// sequenceBounds returns the default MINVALUE and MAXVALUE of a sequence
// of the type, ascending or descending.
func sequenceBounds(typ string, increment int64) (int64, int64) {
	var lo, hi int64
	switch typ {
	case "smallint":
		lo, hi = -32768, 32767
	case "integer":
		lo, hi = -2147483648, 2147483647
	default:
		lo, hi = -9223372036854775808, 9223372036854775807
	}
	if increment < 0 {
		return lo, -1
	}
	return 1, hi
}

func addColumn(table model.QName, c *model.Column) Step {
	return step(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", table, columnDefinition(table, c)),
		"add "+columnID(table, c.Name).String(), columnID(table, c.Name))
}

func dropColumn(table model.QName, column string) Step {
	return step(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", table, model.QuoteIdent(column)),
		"drop "+columnID(table, column).String(), columnID(table, column))
}

// alterColumn is one ALTER TABLE … ALTER COLUMN action.
func alterColumn(table model.QName, column, action, what string) Step {
	return step(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s", table, model.QuoteIdent(column), action),
		"alter "+columnID(table, column).String()+" "+what, columnID(table, column))
}

// alterColumnDefault sets or drops a column default; only keeps it from
// recursing to partitions (or inheritance children), whose defaults are
// their own.
func alterColumnDefault(table model.QName, column, action, what string, only bool) Step {
	if !only {
		return alterColumn(table, column, action, what)
	}
	return step(fmt.Sprintf("ALTER TABLE ONLY %s ALTER COLUMN %s %s", table, model.QuoteIdent(column), action),
		"alter "+columnID(table, column).String()+" "+what, columnID(table, column))
}

// alterColumnType changes type and collation together; using is the
// conversion expression.
func alterColumnType(table model.QName, c *model.Column, using string) Step {
	action := "TYPE " + c.Type
	if c.Collation != "" {
		action += " COLLATE " + c.Collation
	}
	action += " USING " + using
	return alterColumn(table, c.Name, action, "type")
}

// identityChanges are the ALTER COLUMN … SET actions that turn the options
// of one identity sequence into another's.
func identityChanges(l, d *model.Sequence) []string {
	var out []string
	if l.Increment != d.Increment {
		out = append(out, "SET INCREMENT BY "+itoa(d.Increment))
	}
	if l.Min != d.Min {
		out = append(out, "SET MINVALUE "+itoa(d.Min))
	}
	if l.Max != d.Max {
		out = append(out, "SET MAXVALUE "+itoa(d.Max))
	}
	if l.Start != d.Start {
		out = append(out, "SET START WITH "+itoa(d.Start))
	}
	if l.Cache != d.Cache {
		out = append(out, "SET CACHE "+itoa(d.Cache))
	}
	if l.Cycle != d.Cycle {
		out = append(out, "SET "+cycle(d.Cycle))
	}
	if len(out) > 0 && outOfBounds(l, d) {
		out = append(out, "RESTART")
	}
	return out
}

// outOfBounds reports whether live's start value lies outside desired's
// bounds. PostgreSQL refuses new bounds that exclude the current value; the
// model does not hold the current value, but a sequence that never moved
// sits at its start, and one that did is moved by RESTART to the new start,
// which is inside the new bounds.
func outOfBounds(l, d *model.Sequence) bool {
	return l.Start < d.Min || l.Start > d.Max
}

// --- constraints

func addConstraint(table model.QName, c *model.Constraint) Step {
	return step(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, model.QuoteIdent(c.Name), c.Definition),
		"add "+constraintID(table, c.Name).String(), constraintID(table, c.Name))
}

func dropConstraint(table model.QName, name string) Step {
	return step(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, model.QuoteIdent(name)),
		"drop "+constraintID(table, name).String(), constraintID(table, name))
}

// validateConstraint commits on its own, after the NOT VALID constraint it
// validates: it scans the table under a lock that does not block writes.
func validateConstraint(table model.QName, name string) Step {
	s := step(fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", table, model.QuoteIdent(name)),
		"validate "+constraintID(table, name).String(), constraintID(table, name))
	s.Isolation = OwnTransaction
	return s
}

// --- indexes

func indexID(name model.QName) model.ObjectID { return model.ID(model.KindIndex, name) }

// createIndex creates an index; pg_get_indexdef spells an index of a
// partitioned table "ON ONLY", which would leave its partitions unindexed.
func createIndex(ix *model.Index) Step {
	def := strings.Replace(strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";"), " ON ONLY ", " ON ", 1)
	return step(def, "create index "+ix.Name.String(), indexID(ix.Name))
}

// reindexInvalid rebuilds an index live holds INVALID (diff.InvalidInLive),
// concurrently, as the CREATE INDEX CONCURRENTLY that left it so would
// have built it: outside a transaction block, writers never blocked. Over
// rows that still break a unique index it fails as that build did.
func reindexInvalid(name model.QName) Step {
	s := step("REINDEX INDEX CONCURRENTLY "+name.String(), "rebuild invalid index "+name.String(), indexID(name))
	s.Isolation = NoTransaction
	return s
}

func dropIndex(name model.QName) Step {
	return step("DROP INDEX "+name.String(), "drop index "+name.String(), indexID(name))
}

// --- views

func viewID(name model.QName) model.ObjectID { return model.ID(model.KindView, name) }

func createView(v *model.View, replace bool) Step {
	verb, summary := "CREATE VIEW ", "create view "
	if replace {
		verb, summary = "CREATE OR REPLACE VIEW ", "replace view "
	}
	sql := verb + v.Name.String()
	if len(v.Options) > 0 {
		sql += " WITH (" + strings.Join(v.Options, ", ") + ")"
	}
	sql += " AS\n" + diff.ViewQuery(v.Definition)
	return step(sql, summary+v.Name.String(), viewID(v.Name))
}

// viewPlaceholder creates a view with the columns of v, all NULL, the way
// pg_dump does for a view that selects from itself: its definition can
// only replace a view that exists.
func viewPlaceholder(v *model.View) Step {
	cols := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		cols[i] = "NULL::" + c.Type + " AS " + model.QuoteIdent(c.Name)
	}
	return step("CREATE VIEW "+v.Name.String()+" AS\nSELECT "+strings.Join(cols, ",\n    "),
		"create view "+v.Name.String()+" with placeholder columns", viewID(v.Name))
}

func dropView(name model.QName) Step {
	return step("DROP VIEW "+name.String(), "drop view "+name.String(), viewID(name))
}

// --- comments

// comment is COMMENT ON <what> IS '…', or IS NULL to remove one.
func comment(id model.ObjectID, what, text string) Step {
	lit := "NULL"
	if text != "" {
		lit = model.QuoteLiteral(text)
	}
	return step("COMMENT ON "+what+" IS "+lit, "comment on "+id.String(), id)
}

func commentTarget(id model.ObjectID) string {
	switch id.Kind {
	case model.KindSchema:
		return "SCHEMA " + model.QuoteIdent(id.Name)
	case model.KindColumn:
		return "COLUMN " + id.QName().String() + "." + model.QuoteIdent(id.Sub)
	case model.KindConstraint:
		return "CONSTRAINT " + model.QuoteIdent(id.Sub) + " ON " + id.QName().String()
	case model.KindEnum:
		return "TYPE " + id.QName().String()
	case model.KindComposite, model.KindRange, model.KindMatView:
		return typeCommentTarget(id)
	}
	return strings.ToUpper(string(id.Kind)) + " " + id.QName().String()
}
