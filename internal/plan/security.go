package plan

import (
	"slices"
	"sort"
	"strings"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// Security steps come in two halves. Early, while every live object still
// exists: privileges that go away are revoked, default privileges no longer
// revoked are granted back, and policies and publications that go (or are
// recreated) are dropped. Late, once every desired object exists: owners,
// row-level security switches, policies, publications, then grants and
// revocations of defaults. An object dropped and created again by the plan
// (a recreated view, a re-added column) starts from its defaults, so all
// its desired privileges are granted again.
func (b *builder) emitSecurity() {
	b.emitOwners()
	b.emitPolicies()
	b.emitPublications()
	b.emitStartingACLs()
	b.emitACLs()
	b.emitDefaultPrivileges()
}

// ---------------------------------------------------------------- policies

func policyID(table model.QName, name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindPolicy, Schema: table.Schema, Name: table.Name, Sub: name}
}

func securityOf(m *model.Model, name model.QName) *model.Security {
	if s := m.Security[name]; s != nil {
		return s
	}
	return &model.Security{}
}

func (b *builder) emitPolicies() {
	names := map[model.QName]bool{}
	for n := range b.live.Security {
		names[n] = true
	}
	for n := range b.desired.Security {
		names[n] = true
	}
	for _, name := range sortedNames(names) {
		liveTable := b.live.Tables[name] != nil && !b.droppedTables[name]
		wantTable := b.desired.Tables[name] != nil
		ls, ds := securityOf(b.live, name), securityOf(b.desired, name)
		if !liveTable {
			ls = &model.Security{}
		}
		recreated := map[string]bool{}
		if liveTable {
			for _, lp := range ls.SortedPolicies() {
				dp := ds.Policies[lp.Name]
				if !wantTable {
					break // DROP TABLE takes its policies along
				}
				if dp == nil || b.policyRecreated(name, lp, dp) {
					recreated[lp.Name] = dp != nil
					b.add(phaseSecurityEarly, step("DROP POLICY "+model.QuoteIdent(lp.Name)+" ON "+name.String(),
						"drop "+policyID(name, lp.Name).String(), policyID(name, lp.Name)))
				}
			}
		}
		if !wantTable {
			continue
		}
		tbl := "ALTER TABLE " + name.String()
		if ls.Enabled != ds.Enabled {
			if ds.Enabled {
				b.add(phaseSecurity, step(tbl+" ENABLE ROW LEVEL SECURITY", "enable row security on "+name.String(), tableID(name)))
			} else {
				b.add(phaseSecurity, step(tbl+" DISABLE ROW LEVEL SECURITY", "disable row security on "+name.String(), tableID(name)))
			}
		}
		if ls.Forced != ds.Forced {
			if ds.Forced {
				b.add(phaseSecurity, step(tbl+" FORCE ROW LEVEL SECURITY", "force row security on "+name.String(), tableID(name)))
			} else {
				b.add(phaseSecurity, step(tbl+" NO FORCE ROW LEVEL SECURITY", "stop forcing row security on "+name.String(), tableID(name)))
			}
		}
		for _, dp := range ds.SortedPolicies() {
			id := policyID(name, dp.Name)
			lp := ls.Policies[dp.Name]
			if lp == nil || recreated[dp.Name] {
				b.add(phaseSecurity, createPolicy(name, dp))
				if dp.Comment != "" {
					b.add(phaseComments, comment(id, policyCommentTarget(name, dp.Name), dp.Comment))
				}
				continue
			}
			if s, ok := alterPolicy(name, lp, dp); ok {
				b.add(phaseSecurity, s)
			}
			if lp.Comment != dp.Comment {
				b.add(phaseComments, comment(id, policyCommentTarget(name, dp.Name), dp.Comment))
			}
		}
	}
}

// policyRecreated reports whether a policy must be dropped and created
// again: ALTER POLICY cannot change its command or kind, nor remove a USING
// or WITH CHECK expression; and a policy stands in the way of dropping or
// retyping a column (or dropping a table, view or type) it uses.
func (b *builder) policyRecreated(table model.QName, l, d *model.Policy) bool {
	if l.Command != d.Command || l.Permissive != d.Permissive ||
		(l.Using != "" && d.Using == "") || (l.WithCheck != "" && d.WithCheck == "") {
		return true
	}
	for _, dep := range b.live.Deps[policyID(table, l.Name)] {
		if dep.Kind == model.KindTable && dep.QName() == table {
			continue
		}
		if b.depBroken(dep) {
			return true
		}
	}
	return false
}

func policyRoles(roles []string) string {
	q := make([]string, len(roles))
	for i, r := range roles {
		q[i] = roleName(r)
	}
	return strings.Join(q, ", ")
}

// roleName spells a grantee: PUBLIC as is, the object's owner as
// CURRENT_USER (the role that creates objects owns them), others quoted.
func roleName(r string) string {
	switch r {
	case model.GranteePublic:
		return "PUBLIC"
	case model.GranteeOwner:
		return "CURRENT_USER"
	}
	return model.QuoteIdent(r)
}

func createPolicy(table model.QName, p *model.Policy) Step {
	kind := "PERMISSIVE"
	if !p.Permissive {
		kind = "RESTRICTIVE"
	}
	sql := "CREATE POLICY " + model.QuoteIdent(p.Name) + " ON " + table.String() + " AS " + kind +
		" FOR " + p.Command + " TO " + policyRoles(p.Roles)
	if p.Using != "" {
		sql += " USING (" + p.Using + ")"
	}
	if p.WithCheck != "" {
		sql += " WITH CHECK (" + p.WithCheck + ")"
	}
	id := policyID(table, p.Name)
	return step(sql, "create "+id.String(), id)
}

func alterPolicy(table model.QName, l, d *model.Policy) (Step, bool) {
	var parts []string
	if strings.Join(l.Roles, "\x00") != strings.Join(d.Roles, "\x00") {
		parts = append(parts, "TO "+policyRoles(d.Roles))
	}
	if l.Using != d.Using {
		parts = append(parts, "USING ("+d.Using+")")
	}
	if l.WithCheck != d.WithCheck {
		parts = append(parts, "WITH CHECK ("+d.WithCheck+")")
	}
	if len(parts) == 0 {
		return Step{}, false
	}
	id := policyID(table, d.Name)
	return step("ALTER POLICY "+model.QuoteIdent(d.Name)+" ON "+table.String()+" "+strings.Join(parts, " "),
		"alter "+id.String(), id), true
}

func policyCommentTarget(table model.QName, name string) string {
	return "POLICY " + model.QuoteIdent(name) + " ON " + table.String()
}

// ---------------------------------------------------------------- privileges

// freshObject reports whether the plan drops and creates again the object
// an ACL, owner or policy belongs to: it comes back with default privileges.
func (b *builder) freshObject(id model.ObjectID) bool {
	q := id.QName()
	switch id.Kind {
	case model.KindView:
		return b.droppedViews[q]
	case model.KindColumn:
		return b.recreatedCols[colKey{q, id.Sub}] || b.droppedViews[q]
	case model.KindEnum:
		_, ok := b.recreatedEnums[q]
		return ok
	case model.KindFunction:
		return b.dropsRoutine(id)
	}
	return false
}

// dropsRoutine reports whether the plan so far drops a function or
// procedure of that schema and name (any overload: granting again what one
// still has is harmless), so that a routine replaced by drop and create
// gets its privileges back.
func (b *builder) dropsRoutine(id model.ObjectID) bool {
	for _, steps := range b.out {
		for _, s := range steps {
			if !strings.HasPrefix(s.SQL, "DROP FUNCTION") && !strings.HasPrefix(s.SQL, "DROP PROCEDURE") {
				continue
			}
			o := s.Object
			if o.Schema == id.Schema && (o.Name == id.Name || strings.HasPrefix(o.Name, id.Name+"(")) {
				return true
			}
		}
	}
	return false
}

// goneObject reports whether the plan drops the object for good: its
// privileges go with it.
func (b *builder) goneObject(id model.ObjectID) bool {
	q := id.QName()
	switch id.Kind {
	case model.KindSchema:
		return b.desired.Schemas[id.Name] == nil
	case model.KindTable, model.KindForeignTable:
		return b.droppedTables[q]
	case model.KindView:
		return b.droppedViews[q] && b.desired.Views[q] == nil
	case model.KindColumn:
		if b.live.Views[q] != nil {
			return b.droppedViews[q]
		}
		return b.droppedTables[q] || b.droppedCols[colKey{q, id.Sub}] || b.recreatedCols[colKey{q, id.Sub}]
	case model.KindSequence:
		return b.droppedSeqs[q]
	case model.KindEnum:
		return b.droppedEnums[q]
	}
	return false
}

func (b *builder) emitACLs() {
	ids := map[model.ObjectID]bool{}
	for id := range b.live.ACLs {
		ids[id] = true
	}
	for id := range b.desired.ACLs {
		ids[id] = true
	}
	ownPublic := b.ownPublicSchema()
	if ownPublic != nil {
		ids[schemaID("public")] = true
	}
	for _, id := range model.SortedIDs(ids) {
		l, d := b.live.ACLs[id], b.desired.ACLs[id]
		revokes := phaseSecurityEarly
		if id == schemaID("public") && ownPublic != nil {
			// Revoked once CREATE SCHEMA IF NOT EXISTS has run: the
			// schema may be missing, not just new.
			l, revokes = ownPublic, phaseGrants
		}
		ref := d
		if ref == nil {
			ref = l
		}
		on := ref.Target
		col := ref.Column
		if l != nil && !b.freshObject(id) && !b.goneObject(id) {
			for _, s := range grantSteps("REVOKE", minus(l.Grants, d.Extra()), col, on, id) {
				b.add(revokes, s)
			}
			for _, s := range grantSteps("GRANT", minus(l.Revoked, d.Lacking()), col, on, id) {
				b.add(revokes, s)
			}
		}
		if d == nil {
			continue
		}
		if l != nil && (b.freshObject(id) || l == ownPublic) {
			// What desired grants is granted: a recreated public schema
			// has none of the privileges assumed above.
			l = nil
		}
		for _, s := range grantSteps("GRANT", minus(d.Grants, l.Extra()), col, on, id) {
			b.add(phaseGrants, s)
		}
		for _, s := range grantSteps("REVOKE", minus(d.Revoked, l.Lacking()), col, on, id) {
			b.add(phaseGrants, s)
		}
	}
}

// emitStartingACLs takes from the objects the plan creates the default
// privileges of the migrating role (who creates them) that the source does
// not give them, and gives back the defaults those took away that the
// source keeps. It runs before the other grants: a REVOKE on a table takes
// the column privileges along.
func (b *builder) emitStartingACLs() {
	for _, start := range b.startingACLs() {
		d := b.desired.ACLs[start.id]
		for _, s := range grantSteps("REVOKE", minus(start.Grants, d.Extra()), "", start.Target, start.id) {
			b.add(phaseGrants, s)
		}
		for _, s := range grantSteps("GRANT", minus(start.Revoked, d.Lacking()), "", start.Target, start.id) {
			b.add(phaseGrants, s)
		}
	}
}

// startingACL is the privileges an object the plan creates starts with.
type startingACL struct {
	id model.ObjectID
	*model.ACL
}

// startingACLs lists the objects the plan creates that start with default
// privileges.
func (b *builder) startingACLs() []startingACL {
	targets := map[model.ObjectID]string{}
	for _, s := range b.desired.SortedSchemas() {
		targets[model.ObjectID{Kind: model.KindSchema, Name: s.Name}] = "SCHEMA " + model.QuoteIdent(s.Name)
	}
	for _, t := range b.desired.SortedTables() {
		if t.PartitionOf == nil { // partitions' privileges are not compared
			targets[tableID(t.Name)] = "TABLE " + t.Name.String()
		}
	}
	for _, v := range b.desired.SortedViews() {
		targets[model.ObjectID{Kind: model.KindView, Schema: v.Name.Schema, Name: v.Name.Name}] = "TABLE " + v.Name.String()
	}
	for _, v := range b.desired.SortedMatViews() {
		targets[model.ObjectID{Kind: model.KindMatView, Schema: v.Name.Schema, Name: v.Name.Name}] = "TABLE " + v.Name.String()
	}
	for _, s := range b.desired.SortedSequences() {
		targets[model.ObjectID{Kind: model.KindSequence, Schema: s.Name.Schema, Name: s.Name.Name}] = "SEQUENCE " + s.Name.String()
	}
	for _, f := range b.desired.SortedFunctions() {
		switch f.Kind {
		case model.RoutineFunction, model.RoutineWindow:
			targets[f.ID()] = "FUNCTION " + f.Name.String() + "(" + f.Args + ")"
		case model.RoutineProcedure:
			targets[f.ID()] = "PROCEDURE " + f.Name.String() + "(" + f.Args + ")"
		}
	}
	types := []model.QName{}
	for _, e := range b.desired.SortedEnums() {
		types = append(types, e.Name)
	}
	for _, d := range b.desired.SortedDomains() {
		types = append(types, d.Name)
	}
	for _, c := range b.desired.SortedComposites() {
		types = append(types, c.Name)
	}
	for _, r := range b.desired.SortedRanges() {
		types = append(types, r.Name)
	}
	for _, q := range types {
		targets[model.ObjectID{Kind: model.KindEnum, Schema: q.Schema, Name: q.Name}] = "TYPE " + q.String()
	}
	ids := map[model.ObjectID]bool{}
	for id := range targets {
		ids[id] = true
	}
	var out []startingACL
	for _, id := range model.SortedIDs(ids) {
		if start := b.startACL(id); start != nil {
			start.Target = targets[id]
			out = append(out, startingACL{id, start})
		}
	}
	return out
}

// defaultPrivilegeTypes maps the kind of an ACL's object to the object
// type of ALTER DEFAULT PRIVILEGES that covers it.
var defaultPrivilegeTypes = map[model.Kind]string{
	model.KindTable: "TABLES", model.KindView: "TABLES", model.KindMatView: "TABLES",
	model.KindSequence: "SEQUENCES", model.KindFunction: "FUNCTIONS", model.KindEnum: "TYPES", model.KindSchema: "SCHEMAS",
}

// startACL returns the privileges an object the plan creates starts with
// beyond its kind's default: the default privileges of the migrating role
// (who creates it) in force then, those of live that the plan keeps
// (emitDefaultPrivileges takes the others away before objects are created,
// and adds new ones after). Nil when the plan does not create the object
// or no default privileges apply.
func (b *builder) startACL(id model.ObjectID) *model.ACL {
	objType := defaultPrivilegeTypes[id.Kind]
	if objType == "" || !b.createdObject(id) {
		return nil
	}
	start := &model.ACL{}
	for _, schema := range []string{"", id.Schema} {
		if id.Kind == model.KindSchema && schema != "" {
			continue
		}
		key := (&model.DefaultPrivilege{Schema: schema, ObjectType: objType}).Key()
		l, d := b.live.DefaultPrivileges[key], b.desired.DefaultPrivileges[key]
		if l == nil || d == nil {
			continue
		}
		for _, g := range l.Grants {
			// The owner holds every privilege already.
			if g.Grantee != model.GranteeOwner && isIn(g, d.Grants) {
				start.Grants = append(start.Grants, g)
			}
		}
		for _, g := range l.Revoked {
			if isIn(g, d.Revoked) {
				start.Revoked = append(start.Revoked, g)
			}
		}
	}
	if len(start.Grants) == 0 && len(start.Revoked) == 0 {
		return nil
	}
	return start
}

func isIn(g model.Grant, gs []model.Grant) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// createdObject reports whether the plan creates the object (again).
func (b *builder) createdObject(id model.ObjectID) bool {
	if b.freshObject(id) {
		return true
	}
	q := id.QName()
	switch id.Kind {
	case model.KindSchema:
		return b.live.Schemas[id.Name] == nil && b.desired.Schemas[id.Name] != nil
	case model.KindTable:
		return b.live.Tables[q] == nil || b.droppedTables[q]
	case model.KindView:
		return b.live.Views[q] == nil
	case model.KindMatView:
		return b.live.MatViews[q] == nil
	case model.KindSequence:
		return b.live.Sequences[q] == nil || b.droppedSeqs[q]
	case model.KindFunction:
		return b.live.Functions[model.FunctionKey(q, id.Sub)] == nil
	case model.KindEnum:
		return b.live.Enums[q] == nil && b.live.Domains[q] == nil && b.live.Composites[q] == nil && b.live.Ranges[q] == nil
	}
	return false
}

// ownPublicSchema returns the privileges the plan may find on schema
// public when it declares public and live does not have it: CREATE SCHEMA
// IF NOT EXISTS public then finds the database's own public schema, which
// PUBLIC may use (and, before PostgreSQL 15, create in), so those
// privileges are revoked unless desired has them, and what desired grants
// is granted (the schema may also have been recreated without them). nil
// in every other case.
func (b *builder) ownPublicSchema() *model.ACL {
	if b.desired.Schemas["public"] == nil || b.live.Schemas["public"] != nil {
		return nil
	}
	return &model.ACL{Target: "SCHEMA public", Grants: []model.Grant{
		{Grantee: model.GranteePublic, Privilege: "CREATE"},
		{Grantee: model.GranteePublic, Privilege: "USAGE"},
	}}
}

// minus returns the grants of a that are not in b.
func minus(a, b []model.Grant) []model.Grant {
	in := map[model.Grant]bool{}
	for _, g := range b {
		in[g] = true
	}
	var out []model.Grant
	for _, g := range a {
		if !in[g] {
			out = append(out, g)
		}
	}
	return out
}

// grantSteps turns grants into GRANT or REVOKE statements, one per grantee
// and grant option. A REVOKE takes the privilege with its grant option.
func grantSteps(verb string, gs []model.Grant, column, on string, id model.ObjectID) []Step {
	type key struct {
		grantee   string
		grantable bool
	}
	privs := map[key][]string{}
	var keys []key
	for _, g := range gs {
		k := key{g.Grantee, g.Grantable && verb == "GRANT"}
		if privs[k] == nil {
			keys = append(keys, k)
		}
		p := g.Privilege
		if column != "" {
			p += " (" + model.QuoteIdent(column) + ")"
		}
		if !slices.Contains(privs[k], p) {
			privs[k] = append(privs[k], p)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].grantee != keys[j].grantee {
			return keys[i].grantee < keys[j].grantee
		}
		return !keys[i].grantable && keys[j].grantable
	})
	var out []Step
	for _, k := range keys {
		ps := privs[k]
		sort.Strings(ps)
		sql := verb + " " + strings.Join(ps, ", ") + " ON " + on
		if verb == "GRANT" {
			sql += " TO " + roleName(k.grantee)
			if k.grantable {
				sql += " WITH GRANT OPTION"
			}
		} else {
			sql += " FROM " + roleName(k.grantee)
		}
		out = append(out, step(sql, strings.ToLower(verb)+" privileges on "+id.String(), id))
	}
	return out
}

// ------------------------------------------------------- default privileges

func (b *builder) emitDefaultPrivileges() {
	keys := map[string]bool{}
	for k := range b.live.DefaultPrivileges {
		keys[k] = true
	}
	for k := range b.desired.DefaultPrivileges {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		l, d := b.live.DefaultPrivileges[k], b.desired.DefaultPrivileges[k]
		ref := d
		if ref == nil {
			ref = l
		}
		var lg, lr, dg, dr []model.Grant
		if l != nil {
			lg, lr = l.Grants, l.Revoked
		}
		if d != nil {
			dg, dr = d.Grants, d.Revoked
		}
		schemaGone := ref.Schema != "" && b.desired.Schemas[ref.Schema] == nil
		if !schemaGone {
			b.add(phaseSecurityEarly, defaultPrivilegeSteps(ref, "REVOKE", minus(lg, dg))...)
			b.add(phaseSecurityEarly, defaultPrivilegeSteps(ref, "GRANT", minus(lr, dr))...)
		}
		b.add(phaseGrants, defaultPrivilegeSteps(ref, "GRANT", minus(dg, lg))...)
		b.add(phaseGrants, defaultPrivilegeSteps(ref, "REVOKE", minus(dr, lr))...)
	}
}

func defaultPrivilegeSteps(d *model.DefaultPrivilege, verb string, gs []model.Grant) []Step {
	id := model.ObjectID{Kind: diff.KindDefaultPrivileges, Schema: d.Schema, Name: d.Role, Sub: d.ObjectType}
	prefix := "ALTER DEFAULT PRIVILEGES"
	if d.Role != "" {
		prefix += " FOR ROLE " + model.QuoteIdent(d.Role)
	}
	if d.Schema != "" {
		prefix += " IN SCHEMA " + model.QuoteIdent(d.Schema)
	}
	if d.Role != "" {
		// The entry's own role as grantee: CURRENT_USER would name the
		// migrating role instead.
		named := make([]model.Grant, len(gs))
		for i, g := range gs {
			if g.Grantee == model.GranteeOwner {
				g.Grantee = d.Role
			}
			named[i] = g
		}
		gs = named
	}
	var out []Step
	for _, s := range grantSteps(verb, gs, "", d.ObjectType, id) {
		s.SQL = prefix + " " + s.SQL
		s.Summary = strings.ToLower(verb) + " default privileges on " + strings.ToLower(d.ObjectType)
		if d.Role != "" {
			s.Summary += " for role " + d.Role
		}
		out = append(out, s)
	}
	return out
}

// ---------------------------------------------------------------- publications

func publicationID(name string) model.ObjectID {
	return model.ObjectID{Kind: model.KindPublication, Name: name}
}

func (b *builder) emitPublications() {
	for _, l := range b.live.SortedPublications() {
		d := b.desired.Publications[l.Name]
		if d == nil || d.AllTables != l.AllTables || b.publicationDisturbed(l) {
			b.add(phaseSecurityEarly, step("DROP PUBLICATION "+model.QuoteIdent(l.Name),
				"drop publication "+model.QuoteIdent(l.Name), publicationID(l.Name)))
		}
	}
	for _, d := range b.desired.SortedPublications() {
		id := publicationID(d.Name)
		l := b.live.Publications[d.Name]
		if l == nil || d.AllTables != l.AllTables || b.publicationDisturbed(l) {
			b.add(phaseSecurity, createPublication(d))
			if d.Comment != "" {
				b.add(phaseComments, comment(id, "PUBLICATION "+model.QuoteIdent(d.Name), d.Comment))
			}
			continue
		}
		name := "ALTER PUBLICATION " + model.QuoteIdent(d.Name)
		if diff.PublicationTables(l.Tables) != diff.PublicationTables(d.Tables) ||
			strings.Join(l.Schemas, ",") != strings.Join(d.Schemas, ",") {
			if objs := publicationObjects(d); objs != "" {
				b.add(phaseSecurity, step(name+" SET "+objs, "set the tables of "+id.String(), id))
			} else {
				var drop []string
				if len(l.Tables) > 0 {
					drop = append(drop, "TABLE "+tableNames(l.Tables))
				}
				if len(l.Schemas) > 0 {
					drop = append(drop, "TABLES IN SCHEMA "+quoteIdents(l.Schemas))
				}
				b.add(phaseSecurity, step(name+" DROP "+strings.Join(drop, ", "), "remove the tables of "+id.String(), id))
			}
		}
		if strings.Join(l.Publish, ",") != strings.Join(d.Publish, ",") || l.ViaRoot != d.ViaRoot {
			b.add(phaseSecurity, step(name+" SET ("+publicationOptions(d)+")", "set the options of "+id.String(), id))
		}
		if l.Comment != d.Comment {
			b.add(phaseComments, comment(id, "PUBLICATION "+model.QuoteIdent(d.Name), d.Comment))
		}
	}
}

// publicationDisturbed reports whether a column in a publication's column
// list or row filter is dropped or retyped: the publication would block
// that, so it is dropped first and created again after.
func (b *builder) publicationDisturbed(p *model.Publication) bool {
	for _, t := range p.Tables {
		if b.droppedTables[t.Table] || (len(t.Columns) == 0 && t.Where == "") {
			continue
		}
		lt := b.live.Tables[t.Table]
		if lt == nil {
			continue
		}
		for _, c := range lt.Columns {
			k := colKey{t.Table, c.Name}
			if !b.goneColumn(k) && !b.retypedCols[k] {
				continue
			}
			if slices.Contains(t.Columns, c.Name) || mentionsIdent(t.Where, c.Name) {
				return true
			}
		}
	}
	return false
}

func createPublication(p *model.Publication) Step {
	sql := "CREATE PUBLICATION " + model.QuoteIdent(p.Name)
	if p.AllTables {
		sql += " FOR ALL TABLES"
	} else if objs := publicationObjects(p); objs != "" {
		sql += " FOR " + objs
	}
	sql += " WITH (" + publicationOptions(p) + ")"
	return step(sql, "create publication "+model.QuoteIdent(p.Name), publicationID(p.Name))
}

// publicationObjects spells FOR TABLE …, TABLES IN SCHEMA …; "" when empty.
func publicationObjects(p *model.Publication) string {
	var parts []string
	if len(p.Tables) > 0 {
		parts = append(parts, "TABLE "+diff.PublicationTables(p.Tables))
	}
	if len(p.Schemas) > 0 {
		parts = append(parts, "TABLES IN SCHEMA "+quoteIdents(p.Schemas))
	}
	return strings.Join(parts, ", ")
}

func publicationOptions(p *model.Publication) string {
	root := "false"
	if p.ViaRoot {
		root = "true"
	}
	return "publish = " + model.QuoteLiteral(strings.Join(p.Publish, ", ")) + ", publish_via_partition_root = " + root
}

func tableNames(ts []model.PublicationTable) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Table.String()
	}
	return strings.Join(names, ", ")
}

func quoteIdents(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = model.QuoteIdent(s)
	}
	return strings.Join(q, ", ")
}

// ---------------------------------------------------------------- owners

// emitOwners sets the owners of objects whose owner differs, and of every
// new or recreated object (which the migrating role owns), when owners are
// managed (the desired model then has them).
func (b *builder) emitOwners() {
	ids := make(map[model.ObjectID]bool, len(b.desired.Owners))
	for id := range b.desired.Owners {
		ids[id] = true
	}
	for _, id := range model.SortedIDs(ids) {
		d := b.desired.Owners[id]
		l := b.live.Owners[id]
		if l != nil && !b.freshObject(id) && l.Role == d.Role {
			continue
		}
		b.add(phaseOwners, step("ALTER "+d.Target+" OWNER TO "+model.QuoteIdent(d.Role),
			"set the owner of "+id.String(), id))
	}
}
