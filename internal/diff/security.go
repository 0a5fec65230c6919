package diff

import (
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// KindDefaultPrivileges names an ALTER DEFAULT PRIVILEGES entry.
const KindDefaultPrivileges = model.KindDefaultPrivileges

// compareSecurity adds the differences in row-level security, policies,
// privileges, default privileges, publications and owners. Policies and
// switches of a table created or dropped as a whole go with the table.
func compareSecurity(live, desired *model.Model, add func(Op, model.ObjectID, []string)) {
	for _, name := range unionKeys(live.Security, desired.Security) {
		if live.Tables[name] == nil || desired.Tables[name] == nil {
			continue
		}
		l, d := securityOf(live, name), securityOf(desired, name)
		if dd := details(
			attr("row security", strconv.FormatBool(l.Enabled), strconv.FormatBool(d.Enabled)),
			attr("force row security", strconv.FormatBool(l.Forced), strconv.FormatBool(d.Forced)),
		); dd != nil {
			add(Alter, model.ID(model.KindTable, name), dd)
		}
		id := func(p string) model.ObjectID {
			return model.ObjectID{Kind: model.KindPolicy, Schema: name.Schema, Name: name.Name, Sub: p}
		}
		for pn := range l.Policies {
			if d.Policies[pn] == nil {
				add(Drop, id(pn), nil)
			}
		}
		for pn, dp := range d.Policies {
			lp := l.Policies[pn]
			if lp == nil {
				add(Create, id(pn), nil)
				continue
			}
			if dd := PolicyDetails(lp, dp); dd != nil {
				add(Alter, id(pn), dd)
			}
		}
	}

	for _, id := range unionKeys(live.ACLs, desired.ACLs) {
		if !existsOnBothSides(live, desired, id) {
			continue
		}
		l, d := live.ACLs[id], desired.ACLs[id]
		if dd := details(
			attr("grants", Grants(l.Extra()), Grants(d.Extra())),
			attr("revoked defaults", Grants(l.Lacking()), Grants(d.Lacking())),
		); dd != nil {
			add(Alter, id, dd)
		}
	}

	for _, key := range unionKeys(live.DefaultPrivileges, desired.DefaultPrivileges) {
		l, d := live.DefaultPrivileges[key], desired.DefaultPrivileges[key]
		ref := d
		if ref == nil {
			ref = l
		}
		id := model.ObjectID{Kind: KindDefaultPrivileges, Schema: ref.Schema, Name: ref.Role, Sub: ref.ObjectType}
		var lg, lr, dg, dr []model.Grant
		if l != nil {
			lg, lr = l.Grants, l.Revoked
		}
		if d != nil {
			dg, dr = d.Grants, d.Revoked
		}
		if dd := details(attr("grants", Grants(lg), Grants(dg)), attr("revoked defaults", Grants(lr), Grants(dr))); dd != nil {
			add(Alter, id, dd)
		}
	}

	for _, name := range unionKeys(live.Publications, desired.Publications) {
		id := model.ObjectID{Kind: model.KindPublication, Name: name}
		l, d := live.Publications[name], desired.Publications[name]
		switch {
		case d == nil:
			add(Drop, id, nil)
		case l == nil:
			add(Create, id, nil)
		default:
			if dd := PublicationDetails(l, d); dd != nil {
				add(Alter, id, dd)
			}
		}
	}

	for _, id := range unionKeys(live.Owners, desired.Owners) {
		l, d := live.Owners[id], desired.Owners[id]
		if l == nil || d == nil {
			continue // the object itself is created or dropped
		}
		if l.Role != d.Role {
			add(Alter, id, []string{attr("owner", l.Role, d.Role)})
		}
	}
}

// PolicyDetails lists how a policy differs; nil when it does not.
func PolicyDetails(l, d *model.Policy) []string {
	return details(
		attr("permissive", strconv.FormatBool(l.Permissive), strconv.FormatBool(d.Permissive)),
		attr("command", l.Command, d.Command),
		attr("roles", strings.Join(l.Roles, ", "), strings.Join(d.Roles, ", ")),
		attr("using", l.Using, d.Using),
		attr("with check", l.WithCheck, d.WithCheck),
		attr("comment", l.Comment, d.Comment),
	)
}

// PublicationDetails lists how a publication differs; nil when it does not.
func PublicationDetails(l, d *model.Publication) []string {
	return details(
		attr("all tables", strconv.FormatBool(l.AllTables), strconv.FormatBool(d.AllTables)),
		attr("tables", PublicationTables(l.Tables), PublicationTables(d.Tables)),
		attr("schemas", strings.Join(l.Schemas, ", "), strings.Join(d.Schemas, ", ")),
		attr("publish", strings.Join(l.Publish, ", "), strings.Join(d.Publish, ", ")),
		attr("publish via partition root", strconv.FormatBool(l.ViaRoot), strconv.FormatBool(d.ViaRoot)),
		attr("comment", l.Comment, d.Comment),
	)
}

// PublicationTables spells a publication's table list as FOR TABLE does.
func PublicationTables(ts []model.PublicationTable) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = PublicationTable(t)
	}
	return strings.Join(parts, ", ")
}

// PublicationTable spells one table of a publication: name, column list,
// row filter.
func PublicationTable(t model.PublicationTable) string {
	s := t.Table.String()
	if len(t.Columns) > 0 {
		cols := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			cols[i] = model.QuoteIdent(c)
		}
		s += " (" + strings.Join(cols, ", ") + ")"
	}
	if t.Where != "" {
		s += " WHERE (" + t.Where + ")"
	}
	return s
}

// Grants spells a list of grants for messages: "SELECT to anon, UPDATE to
// PUBLIC with grant option".
func Grants(gs []model.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Privilege + " to " + g.Grantee
		if g.Grantable {
			parts[i] += " with grant option"
		}
	}
	return strings.Join(parts, ", ")
}

// existsOnBothSides reports whether the object an ACL belongs to is in both
// models, as far as the model knows the kind: privileges of an object that
// is created or dropped go with it.
func existsOnBothSides(live, desired *model.Model, id model.ObjectID) bool {
	if id.Kind == model.KindEnum {
		// Any type: enum, domain, composite or range. A multirange, which
		// has privileges of its own, is in none of them on either side.
		return hasType(live, id.QName()) == hasType(desired, id.QName())
	}
	for _, m := range []*model.Model{live, desired} {
		q := id.QName()
		switch id.Kind {
		case model.KindSchema:
			if m.Schemas[id.Name] == nil {
				return false
			}
		case model.KindTable, model.KindForeignTable:
			if m.Tables[q] == nil {
				return false
			}
		case model.KindMatView:
			if m.MatViews[q] == nil {
				return false
			}
		case model.KindFunction:
			if m.Functions[model.FunctionKey(q, id.Sub)] == nil {
				return false
			}
		case model.KindView:
			if m.Views[q] == nil {
				return false
			}
		case model.KindSequence:
			if m.Sequences[q] == nil {
				return false
			}
		case model.KindColumn:
			t := m.Tables[q]
			if t == nil || t.Column(id.Sub) == nil {
				if v := m.Views[q]; v == nil {
					return false
				}
			}
		}
	}
	return true
}

func hasType(m *model.Model, q model.QName) bool {
	return m.Enums[q] != nil || m.Domains[q] != nil || m.Composites[q] != nil || m.Ranges[q] != nil
}

func securityOf(m *model.Model, name model.QName) *model.Security {
	if s := m.Security[name]; s != nil {
		return s
	}
	return &model.Security{}
}
