package diff

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// compareTypes adds the changes of the kinds defined in model/types.go.
func compareTypes(live, desired *model.Model, add func(Op, model.ObjectID, []string)) {
	extID := func(name string) model.ObjectID { return model.ObjectID{Kind: model.KindExtension, Name: name} }
	for name := range live.Extensions {
		if desired.Extensions[name] == nil {
			add(Drop, extID(name), nil)
		}
	}
	for name, d := range desired.Extensions {
		l := live.Extensions[name]
		switch {
		case l == nil:
			add(Create, extID(name), nil)
		case l.Schema != d.Schema:
			// The version is deliberately not compared (see model.Extension).
			add(Alter, extID(name), details(attr("schema", l.Schema, d.Schema)))
		}
	}
	compareMap(live.Collations, desired.Collations, model.KindCollation, add, func(l, d *model.Collation) []string {
		return details(
			attr("provider", l.Provider, d.Provider),
			attr("locale", l.Locale, d.Locale),
			attr("lc_collate", l.LcCollate, d.LcCollate),
			attr("lc_ctype", l.LcCtype, d.LcCtype),
			attr("deterministic", strconv.FormatBool(l.Deterministic), strconv.FormatBool(d.Deterministic)),
			attr("comment", l.Comment, d.Comment),
		)
	})
	compareMap(live.TextSearchConfigs, desired.TextSearchConfigs, model.KindTextSearchCfg, add, func(l, d *model.TextSearchConfig) []string {
		return details(
			attr("parser", l.Parser, d.Parser),
			attr("mappings", strings.Join(l.Mappings, "; "), strings.Join(d.Mappings, "; ")),
			attr("comment", l.Comment, d.Comment),
		)
	})
	compareMap(live.Domains, desired.Domains, model.KindDomain, add, DomainDetails)
	compareMap(live.Composites, desired.Composites, model.KindComposite, add, func(l, d *model.Composite) []string {
		return details(
			attr("attributes", attributes(l.Attributes), attributes(d.Attributes)),
			attr("comment", l.Comment, d.Comment),
		)
	})
	compareMap(live.Ranges, desired.Ranges, model.KindRange, add, func(l, d *model.Range) []string {
		return details(append(RangeDetails(l, d), attr("comment", l.Comment, d.Comment))...)
	})
	compareMap(live.MatViews, desired.MatViews, model.KindMatView, add, MatViewDetails)
	compareMap(live.Statistics, desired.Statistics, model.KindStatistics, add, func(l, d *model.Statistics) []string {
		return details(
			attr("definition", l.Definition, d.Definition),
			attr("target", target(l.Target), target(d.Target)),
			attr("comment", l.Comment, d.Comment),
		)
	})
}

// TableDetails lists how the partitioning, inheritance parents, persistence, storage
// parameters, replica identity and CLUSTER ON index of a table differ.
func TableDetails(l, d *model.Table) []string {
	return details(append([]string{
		attr("partition by", l.PartitionBy, d.PartitionBy),
		attr("partition of", parentName(l.PartitionOf), parentName(d.PartitionOf)),
		attr("partition bound", l.Bound, d.Bound),
		attr("inherits", parentList(l.Inherits), parentList(d.Inherits)),
		attr("unlogged", strconv.FormatBool(l.Unlogged), strconv.FormatBool(d.Unlogged)),
		attr("options", strings.Join(l.Options, ", "), strings.Join(d.Options, ", ")),
		attr("replica identity", replicaIdentity(l.ReplicaIdentity), replicaIdentity(d.ReplicaIdentity)),
		attr("cluster on", l.ClusterOn, d.ClusterOn),
	}, foreignTableDetails(l, d)...)...)
}

// parentList spells a table's inheritance parents in order.
func parentList(ps []model.QName) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

// replicaIdentity names the default identity, which the model leaves empty.
func replicaIdentity(s string) string {
	if s == "" {
		return "DEFAULT"
	}
	return s
}

// columnStorageDetails lists how a column's storage and compression differ.
func columnStorageDetails(l, d *model.Column) []string {
	return []string{
		attr("storage", l.Storage, d.Storage),
		attr("compression", l.Compression, d.Compression),
		attr("statistics target", l.StatsTarget, d.StatsTarget),
		attr("options", strings.Join(l.Options, ", "), strings.Join(d.Options, ", ")),
	}
}

// DomainDetails lists how a domain differs; nil when it does not.
func DomainDetails(l, d *model.Domain) []string {
	dd := []string{
		attr("type", l.Type, d.Type),
		attr("collation", l.Collation, d.Collation),
		attr("default", l.Default, d.Default),
		attr("not null", strconv.FormatBool(l.NotNull), strconv.FormatBool(d.NotNull)),
	}
	names := unionKeys(l.Constraints, d.Constraints)
	sort.Strings(names) // detail lines in a stable order
	for _, name := range names {
		lc, dc := l.Constraints[name], d.Constraints[name]
		what := "constraint " + model.QuoteIdent(name)
		switch {
		case lc == nil:
			dd = append(dd, attr(what, "", dc.Definition))
		case dc == nil:
			dd = append(dd, attr(what, lc.Definition, ""))
		default:
			for _, line := range ConstraintDetails(lc, dc) {
				dd = append(dd, what+" "+line)
			}
		}
	}
	dd = append(dd, attr("comment", l.Comment, d.Comment))
	return details(dd...)
}

// RangeDetails lists how the definition of a range type differs.
func RangeDetails(l, d *model.Range) []string {
	return details(
		attr("subtype", l.Subtype, d.Subtype),
		attr("subtype opclass", l.OpClass, d.OpClass),
		attr("collation", l.Collation, d.Collation),
		attr("canonical", l.Canonical, d.Canonical),
		attr("subtype_diff", l.SubtypeDiff, d.SubtypeDiff),
		attr("multirange", l.Multirange.String(), d.Multirange.String()),
	)
}

// MatViewDetails lists how a materialized view differs; nil when it does not.
func MatViewDetails(l, d *model.MatView) []string {
	def := ""
	if lq, dq := ViewQuery(l.Definition), ViewQuery(d.Definition); lq != dq {
		def = attr("definition", oneLine(lq), oneLine(dq))
		if def == "" {
			def = "definition: layout differs"
		}
	}
	dd := []string{
		def,
		attr("columns", viewColumns(l.Columns), viewColumns(d.Columns)),
		attr("options", ViewOptions(l.Options), ViewOptions(d.Options)),
		attr("comment", l.Comment, d.Comment),
	}
	for _, dc := range d.Columns {
		for _, lc := range l.Columns {
			if lc.Name == dc.Name {
				dd = append(dd, attr("column "+model.QuoteIdent(dc.Name)+" comment", lc.Comment, dc.Comment))
			}
		}
	}
	return details(dd...)
}

func attributes(as []*model.Attribute) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = model.QuoteIdent(a.Name) + " " + a.Type
		if a.Collation != "" {
			parts[i] += " COLLATE " + a.Collation
		}
	}
	return strings.Join(parts, ", ")
}

func parentName(q *model.QName) string {
	if q == nil {
		return ""
	}
	return q.String()
}

func target(t *int) string {
	if t == nil {
		return ""
	}
	return strconv.Itoa(*t)
}

// unionKeys returns the keys of a and b, each once, in no order.
func unionKeys[K comparable, V any](a, b map[K]V) []K {
	seen := map[K]bool{}
	var out []K
	for _, m := range []map[K]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
