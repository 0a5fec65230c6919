package catalog

import (
	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// queueSecurity queues the queries of row-level security, policies,
// privileges, default privileges, publications and (when managed) owners.
// They run after the relations they attach to.
func queueSecurity(queue func(name, sql string, scan func(pgx.Rows) error), r *reader, opts Options) {
	queue("row security", rowSecurityQuery, r.rowSecurity)
	queue("policies", policiesQuery, r.policy)
	queue("privileges", aclQuery, r.acl)
	queue("default privileges", defaultACLQuery, r.defaultACL)
	queue("publications", publicationsQueryFor(r.major), r.publication)
	if opts.Owners {
		queue("owners", ownersQuery, r.owner)
	}
}

const rowSecurityQuery = `
SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
  AND ` + notExtensionMember + `
ORDER BY 1, 2`

// PUBLIC is role 0 in polroles.
const policiesQuery = `
SELECT n.nspname, c.relname, p.polname, p.polpermissive,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
       ARRAY(SELECT coalesce(ro.rolname, 'PUBLIC') FROM unnest(p.polroles) r
             LEFT JOIN pg_roles ro ON ro.oid = r ORDER BY 1),
       coalesce(pg_get_expr(p.polqual, p.polrelid), ''),
       coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
       coalesce(obj_description(p.oid, 'pg_policy'), '')
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND ` + notExtensionMember + `
ORDER BY 1, 2, 3`

// aclQuery lists, for every object with an ACL, the privileges beyond its
// kind's default (extra = true) and the default privileges it lacks
// (extra = false). A NULL acl is the default, so it yields nothing; the
// owner shows as (owner) and PUBLIC as PUBLIC. The owner always holds the
// grant option, so an explicit one on its own privileges is no difference.
//
// The inspecting role (the one that runs migrations, or loads the source
// into the shadow) counts as the owner too: with owners unmanaged it owns
// what it creates, so PostgreSQL folds a grant to it into the owner's
// entry there, while a database whose objects another role owns (pg_dump
// output run by a superuser, then ALTER … OWNER TO) keeps it as a grant
// of its own. Either way it holds no privilege the owner lacks. A
// partition's own grants count: it can be queried by name. Grantors
// are never read: they name environment-specific roles.
var aclQuery = `
WITH objs(kind, nsp, name, sub, target, col, acl, defacl, owner) AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        WHEN 'f' THEN 'foreign table' ELSE 'table' END,
         n.nspname, c.relname, ''::text,
         CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
         '', c.relacl,
         acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner), c.relowner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND c.relacl IS NOT NULL AND ` + notExtensionMember + `
  UNION ALL
  SELECT 'column', n.nspname, c.relname, a.attname::text,
         'TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
         a.attname, a.attacl, acldefault('c', c.relowner), c.relowner
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ` + notExtensionMember + `
  UNION ALL
  SELECT 'schema', '', n.nspname, '', 'SCHEMA ' || quote_ident(n.nspname), '',
         n.nspacl, acldefault('n', n.nspowner), n.nspowner
  FROM pg_namespace n
  WHERE n.nspname = ANY($1) AND n.nspacl IS NOT NULL
  UNION ALL
  SELECT 'function', n.nspname, p.proname, ` + functionIdentityArgs + `,
         CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END
           || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
           || '(' || ` + functionIdentityArgs + ` || ')',
         '', p.proacl, acldefault('f', p.proowner), p.proowner
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = ANY($1) AND p.proacl IS NOT NULL AND p.prokind <> 'a'
    AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                    AND e.objid = p.oid AND e.deptype = 'e')
  UNION ALL
  SELECT 'type', n.nspname, t.typname, '', 'TYPE ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname), '',
         t.typacl, acldefault('T', t.typowner), t.typowner
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY($1) AND t.typacl IS NOT NULL
    AND (t.typtype IN ('e', 'd', 'r', 'm')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c')))
    AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass
                    AND e.objid = t.oid AND e.deptype = 'e')
),
diffs AS (
  SELECT o.*, g.grantee, g.privilege_type, g.is_grantable, true AS extra
  FROM objs o, LATERAL (SELECT grantee, privilege_type, is_grantable AND grantee <> o.owner AS is_grantable
                        FROM (SELECT CASE WHEN e.grantee = current_user::regrole THEN o.owner ELSE e.grantee END AS grantee,
                                     e.privilege_type, e.is_grantable FROM aclexplode(o.acl) e) a
                        EXCEPT SELECT grantee, privilege_type, is_grantable AND grantee <> o.owner FROM aclexplode(o.defacl)) g
  UNION ALL
  SELECT o.*, g.grantee, g.privilege_type, g.is_grantable, false
  FROM objs o, LATERAL (SELECT grantee, privilege_type, is_grantable AND grantee <> o.owner AS is_grantable FROM aclexplode(o.defacl)
                        EXCEPT SELECT grantee, privilege_type, is_grantable AND grantee <> o.owner
                        FROM (SELECT CASE WHEN e.grantee = current_user::regrole THEN o.owner ELSE e.grantee END AS grantee,
                                     e.privilege_type, e.is_grantable FROM aclexplode(o.acl) e) a) g
)
SELECT d.kind, d.nsp, d.name, d.sub, d.target, d.col,
       CASE WHEN d.grantee = 0 THEN 'PUBLIC' WHEN d.grantee = d.owner THEN '(owner)' ELSE ro.rolname END,
       d.privilege_type, d.is_grantable, d.extra
FROM diffs d LEFT JOIN pg_roles ro ON ro.oid = d.grantee
ORDER BY 1, 2, 3, 4, 7, 8, 9`

// defaultACLQuery reads ALTER DEFAULT PRIVILEGES entries of the managed
// schemas and of the whole database. Entries for the inspecting role (the
// one that runs migrations, or loads the source into the shadow) have an
// empty role, as written without FOR ROLE: the role's name differs between
// environments. For the same reason the entry's role as grantee (what the
// objects' owner gets) is (owner). A database-wide entry replaces the
// kind's default, so it can revoke (extra = false); a schema's entry only
// adds to it.
const defaultACLQuery = `
WITH objs AS (
  SELECT CASE WHEN r.rolname = current_user THEN '' ELSE r.rolname END AS rolname, d.defaclrole AS role,
         coalesce(n.nspname, '') AS nsp,
         CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                              WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS objtype,
         d.defaclacl AS acl,
         CASE WHEN d.defaclnamespace = 0
              THEN acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)
              ELSE NULL::aclitem[] END AS defacl
  FROM pg_default_acl d
  JOIN pg_roles r ON r.oid = d.defaclrole
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  WHERE d.defaclnamespace = 0 OR n.nspname = ANY($1)
),
diffs AS (
  SELECT o.rolname, o.role, o.nsp, o.objtype, g.grantee, g.privilege_type, g.is_grantable, true AS extra
  FROM objs o, LATERAL (SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.acl)
                        EXCEPT SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.defacl)) g
  UNION ALL
  SELECT o.rolname, o.role, o.nsp, o.objtype, g.grantee, g.privilege_type, g.is_grantable, false
  FROM objs o, LATERAL (SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.defacl)
                        EXCEPT SELECT grantee, privilege_type, is_grantable FROM aclexplode(o.acl)) g
)
SELECT d.rolname, d.nsp, d.objtype,
       CASE WHEN d.grantee = d.role THEN '(owner)' ELSE coalesce(ro.rolname, 'PUBLIC') END,
       d.privilege_type, d.is_grantable, d.extra
FROM diffs d LEFT JOIN pg_roles ro ON ro.oid = d.grantee
ORDER BY 1, 2, 3, 4, 5`

// publicationsQuery reads every publication of the database with its
// tables (column lists and row filters, PostgreSQL 15+) and schemas, as
// one row per publication.
const publicationsQuery = `
SELECT p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot,
       coalesce(obj_description(p.oid, 'pg_publication'), ''),
       ARRAY(SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid
             WHERE pn.pnpubid = p.oid ORDER BY 1),
       ARRAY(SELECT n.nspname FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid ORDER BY n.nspname, c.relname),
       ARRAY(SELECT c.relname FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid ORDER BY n.nspname, c.relname),
       ARRAY(SELECT coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                              FROM pg_attribute a WHERE a.attrelid = pr.prrelid AND a.attnum = ANY(pr.prattrs)), '')
             FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid ORDER BY n.nspname, c.relname),
       ARRAY(SELECT coalesce(pg_get_expr(pr.prqual, pr.prrelid), '')
             FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid ORDER BY n.nspname, c.relname)
FROM pg_publication p
WHERE $1::text[] IS NOT NULL
ORDER BY 1`

// ownersQuery reads the owners of the managed objects; only queued when
// owners are managed. An aggregate without arguments is name(*) in ALTER
// AGGREGATE.
var ownersQuery = `
SELECT 'schema', '', n.nspname, '', 'SCHEMA ' || quote_ident(n.nspname), pg_get_userbyid(n.nspowner)
FROM pg_namespace n WHERE n.nspname = ANY($1)
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'f' THEN 'foreign table' ELSE 'table' END,
       n.nspname, c.relname, '',
       CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' WHEN 'v' THEN 'VIEW ' WHEN 'm' THEN 'MATERIALIZED VIEW '
                      WHEN 'f' THEN 'FOREIGN TABLE ' ELSE 'TABLE ' END
         || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       pg_get_userbyid(c.relowner)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
  AND ` + notExtensionMember + `
UNION ALL
SELECT 'sequence', n.nspname, c.relname, '', 'SEQUENCE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       pg_get_userbyid(c.relowner)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind = 'S' AND ` + notExtensionMember + `
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass)
UNION ALL
SELECT 'function', n.nspname, p.proname, ` + functionIdentityArgs + `,
       CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' WHEN 'a' THEN 'AGGREGATE ' ELSE 'FUNCTION ' END
         || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
         || '(' || CASE WHEN p.prokind = 'a' AND p.pronargs = 0 THEN '*' ELSE ` + functionIdentityArgs + ` END || ')',
       pg_get_userbyid(p.proowner)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                  AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'type', n.nspname, t.typname, '', CASE t.typtype WHEN 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END
         || quote_ident(n.nspname) || '.' || quote_ident(t.typname),
       pg_get_userbyid(t.typowner)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1)
  AND (t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c')))
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass
                  AND e.objid = t.oid AND e.deptype = 'e')
ORDER BY 1, 2, 3, 4`

func (r *reader) security(table model.QName) *model.Security {
	s := r.m.Security[table]
	if s == nil {
		s = &model.Security{Policies: map[string]*model.Policy{}}
		r.m.Security[table] = s
	}
	return s
}

func (r *reader) rowSecurity(rows pgx.Rows) error {
	var (
		table model.QName
		rs    model.RowSecurity
	)
	if err := rows.Scan(&table.Schema, &table.Name, &rs.Enabled, &rs.Forced); err != nil {
		return err
	}
	r.security(table).RowSecurity = rs
	return nil
}

func (r *reader) policy(rows pgx.Rows) error {
	var (
		table model.QName
		p     model.Policy
	)
	if err := rows.Scan(&table.Schema, &table.Name, &p.Name, &p.Permissive, &p.Command, &p.Roles, &p.Using, &p.WithCheck, &p.Comment); err != nil {
		return err
	}
	r.security(table).Policies[p.Name] = &p
	return nil
}

func (r *reader) acl(rows pgx.Rows) error {
	var (
		id           model.ObjectID
		kind, target string
		col          string
		g            model.Grant
		extra        bool
	)
	if err := rows.Scan(&kind, &id.Schema, &id.Name, &id.Sub, &target, &col, &g.Grantee, &g.Privilege, &g.Grantable, &extra); err != nil {
		return err
	}
	id.Kind = model.Kind(kind)
	a := r.m.ACLs[id]
	if a == nil {
		a = &model.ACL{Target: target, Column: col}
		r.m.ACLs[id] = a
	}
	if extra {
		a.Grants = append(a.Grants, g)
	} else {
		a.Revoked = append(a.Revoked, g)
	}
	return nil
}

func (r *reader) defaultACL(rows pgx.Rows) error {
	var (
		d     model.DefaultPrivilege
		g     model.Grant
		extra bool
	)
	if err := rows.Scan(&d.Role, &d.Schema, &d.ObjectType, &g.Grantee, &g.Privilege, &g.Grantable, &extra); err != nil {
		return err
	}
	e := r.m.DefaultPrivileges[d.Key()]
	if e == nil {
		e = &d
		r.m.DefaultPrivileges[d.Key()] = e
	}
	if extra {
		e.Grants = append(e.Grants, g)
	} else {
		e.Revoked = append(e.Revoked, g)
	}
	return nil
}

func (r *reader) publication(rows pgx.Rows) error {
	var (
		p                            model.Publication
		ins, upd, del, trunc         bool
		nsps, rels, colLists, wheres []string
	)
	if err := rows.Scan(&p.Name, &p.AllTables, &ins, &upd, &del, &trunc, &p.ViaRoot, &p.Comment,
		&p.Schemas, &nsps, &rels, &colLists, &wheres); err != nil {
		return err
	}
	p.Publish = []string{}
	for _, op := range []struct {
		on   bool
		name string
	}{{ins, "insert"}, {upd, "update"}, {del, "delete"}, {trunc, "truncate"}} {
		if op.on {
			p.Publish = append(p.Publish, op.name)
		}
	}
	for i := range rels {
		t := model.PublicationTable{Table: model.QName{Schema: nsps[i], Name: rels[i]}, Where: wheres[i]}
		if colLists[i] != "" {
			t.Columns = splitColumnList(colLists[i])
		}
		p.Tables = append(p.Tables, t)
	}
	r.m.Publications[p.Name] = &p
	return nil
}

// splitColumnList splits "a, \"b, c\"" as quote_ident wrote it back into
// the column names.
func splitColumnList(s string) []string {
	var (
		out   []string
		cur   []rune
		inQ   bool
		runes = []rune(s)
	)
	for i := 0; i < len(runes); i++ {
		ch := runes[i]
		switch {
		case ch == '"' && inQ && i+1 < len(runes) && runes[i+1] == '"':
			cur = append(cur, '"')
			i++
		case ch == '"':
			inQ = !inQ
		case ch == ',' && !inQ:
			out = append(out, string(cur))
			cur = nil
			if i+1 < len(runes) && runes[i+1] == ' ' {
				i++
			}
		default:
			cur = append(cur, ch)
		}
	}
	return append(out, string(cur))
}

func (r *reader) owner(rows pgx.Rows) error {
	var (
		id   model.ObjectID
		kind string
		o    model.Ownership
	)
	if err := rows.Scan(&kind, &id.Schema, &id.Name, &id.Sub, &o.Target, &o.Role); err != nil {
		return err
	}
	id.Kind = model.Kind(kind)
	r.m.Owners[id] = &o
	return nil
}
