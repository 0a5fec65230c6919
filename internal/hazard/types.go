package hazard

import (
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
)

// colType is a column type reduced to what decides whether a type change is
// a metadata flip: the base name as format_type spells it, the integer type
// modifiers and the array dimensions.
type colType struct {
	base  string // "character varying", "numeric", "public.mood"; "" when unknown
	mods  string // modifiers joined by ",", e.g. "10,2"; kept as text so colType is comparable
	array int
}

func (t colType) known() bool { return t.base != "" }

func (t colType) modList() []int {
	if t.mods == "" {
		return nil
	}
	var out []int
	for _, p := range strings.Split(t.mods, ",") {
		n, _ := strconv.Atoi(p)
		out = append(out, n)
	}
	return out
}

// catalogNames maps pg_catalog type names, as the parser produces them, to
// the names format_type prints.
var catalogNames = map[string]string{
	"int2":        "smallint",
	"int4":        "integer",
	"int8":        "bigint",
	"float4":      "real",
	"float8":      "double precision",
	"bool":        "boolean",
	"varchar":     "character varying",
	"bpchar":      "character",
	"timestamp":   "timestamp without time zone",
	"timestamptz": "timestamp with time zone",
	"time":        "time without time zone",
	"timetz":      "time with time zone",
	"varbit":      "bit varying",
	"decimal":     "numeric",
}

// builtinNames are built-in types a user may write unqualified; any other
// unqualified name is a user type resolved to public.
var builtinNames = map[string]bool{
	"text": true, "uuid": true, "json": true, "jsonb": true, "bytea": true, "date": true,
	"inet": true, "cidr": true, "macaddr": true, "macaddr8": true, "money": true, "xml": true,
	"tsvector": true, "tsquery": true, "oid": true, "name": true, "numeric": true, "interval": true,
	"bit": true, "boolean": true, "smallint": true, "integer": true, "bigint": true, "real": true,
	"int4range": true, "int8range": true, "numrange": true, "tsrange": true, "tstzrange": true,
	"daterange": true, "point": true, "line": true, "lseg": true, "box": true, "path": true,
	"polygon": true, "circle": true, "regclass": true, "jsonpath": true, "pg_lsn": true,
}

// parseTypeName reads a parsed type name. %TYPE references and modifiers
// that are not plain integers make the type unknown.
func parseTypeName(tn *pg_query.TypeName) colType {
	if tn == nil || tn.PctType || tn.Setof {
		return colType{}
	}
	var names []string
	for _, n := range tn.Names {
		s := n.GetString_()
		if s == nil {
			return colType{}
		}
		names = append(names, s.Sval)
	}
	t := colType{array: len(tn.ArrayBounds)}
	switch {
	case len(names) == 2 && names[0] == "pg_catalog":
		t.base = catalogName(names[1])
	case len(names) == 1 && (catalogNames[names[0]] != "" || builtinNames[names[0]]):
		t.base = catalogName(names[0])
	case len(names) == 1:
		t.base = model.QName{Schema: "public", Name: names[0]}.String()
	case len(names) >= 2:
		t.base = model.QName{Schema: names[len(names)-2], Name: names[len(names)-1]}.String()
	default:
		return colType{}
	}
	if t.base == "interval" && len(tn.Typmods) > 0 {
		// Interval modifiers encode field masks, not sizes.
		return colType{}
	}
	var mods []string
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return colType{}
		}
		mods = append(mods, strconv.Itoa(int(c.GetIval().Ival)))
	}
	if t.base == "numeric" && len(mods) == 1 {
		mods = append(mods, "0") // numeric(p) is numeric(p,0)
	}
	t.mods = strings.Join(mods, ",")
	return t
}

func catalogName(n string) string {
	if v := catalogNames[n]; v != "" {
		return v
	}
	return n
}

// parseLiveType reads a format_type spelling: "character varying(255)",
// "numeric(10,2)[]", "timestamp(3) with time zone", "public.mood".
func parseLiveType(s string) colType {
	s = strings.TrimSpace(s)
	if s == "" {
		return colType{}
	}
	t := colType{}
	for strings.HasSuffix(s, "[]") {
		s = strings.TrimSuffix(s, "[]")
		t.array++
	}
	if i := strings.IndexByte(s, '('); i >= 0 && !strings.Contains(s, `"`) {
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return colType{}
		}
		var mods []string
		for _, p := range strings.Split(s[i+1:i+j], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return colType{}
			}
			mods = append(mods, strconv.Itoa(n))
		}
		t.mods = strings.Join(mods, ",")
		s = strings.TrimSpace(s[:i] + s[i+j+1:])
	}
	if strings.HasPrefix(s, "interval") && s != "interval" {
		return colType{} // interval field restrictions: judged unknown
	}
	t.base = s
	return t
}

// binaryCompatible reports whether changing a column from one type to the
// other is a metadata flip in PostgreSQL (no table rewrite, no index
// rebuild): the same type, a length or precision increase, or a
// binary-coercible pair.
func binaryCompatible(from, to colType) bool {
	if !from.known() || !to.known() || from.array != to.array {
		return false
	}
	if from == to {
		return true
	}
	if from.array > 0 {
		// Array coercions (even varchar[] → text[]) map every element and
		// rewrite the table.
		return false
	}
	fm, tm := from.modList(), to.modList()
	switch {
	case from.base == "character varying" && to.base == "character varying":
		// varchar(n) → varchar(m ≥ n), anything → unbounded varchar.
		return len(tm) == 0 || (len(fm) == 1 && len(tm) == 1 && tm[0] >= fm[0])
	case from.base == "character varying" && to.base == "text":
		return true
	case from.base == "text" && to.base == "character varying":
		return len(tm) == 0
	case from.base == "numeric" && to.base == "numeric":
		// Same scale and no smaller precision, or unconstrained numeric.
		return len(tm) == 0 || (len(fm) == 2 && len(tm) == 2 && tm[1] == fm[1] && tm[0] >= fm[0])
	case from.base == "bit varying" && to.base == "bit varying":
		return len(tm) == 0 || (len(fm) == 1 && len(tm) == 1 && tm[0] >= fm[0])
	case from.base == to.base && slices.Contains([]string{
		"timestamp without time zone", "timestamp with time zone",
		"time without time zone", "time with time zone",
	}, from.base):
		// Fractional-second precision increase or removal.
		return len(tm) == 0 || (len(fm) == 1 && len(tm) == 1 && tm[0] >= fm[0])
	}
	return false
}

// retypeDescendants marks the column of table's live partitions and
// inheritance children, at every depth, as retyped: ALTER COLUMN … TYPE
// without ONLY changes theirs too.
func (c *classifier) retypeDescendants(table model.QName, column string) {
	if c.live == nil {
		return
	}
	for _, t := range c.live.SortedTables() {
		if (t.PartitionOf == nil || *t.PartitionOf != table) && !slices.Contains(t.Inherits, table) {
			continue
		}
		id := model.ObjectID{Kind: model.KindColumn, Schema: t.Name.Schema, Name: t.Name.Name, Sub: column}
		if !c.retyped[id] {
			c.retyped[id] = true
			c.retypeDescendants(t.Name, column)
		}
	}
}
