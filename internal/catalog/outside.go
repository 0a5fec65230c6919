package catalog

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// outsideQuery finds, from pg_depend, the objects outside the managed
// schemas ($1) and the system schemas that managed objects use, directly or
// through one another: their catalog and oid, and their schema. Each end of
// a dependency is first taken to the object that stands for it (a column
// default, constraint, trigger or policy for its table or domain, a view's
// rewrite rule for the view, a row type for its relation, an array type for
// its element type), and an extension member to its extension, which is
// what a scratch database can create. A trigger or policy of an outside
// table is not part of what managed objects use, so what it uses is not
// followed.
const outsideQuery = `
WITH RECURSIVE
outside AS (
  SELECT oid FROM pg_namespace` + outsideSchemas + `),
-- The objects in those schemas: only dependencies on them matter.
obj(cls, oid) AS (
  SELECT 'pg_class'::regclass, c.oid FROM pg_class c JOIN outside o ON o.oid = c.relnamespace
  UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t JOIN outside o ON o.oid = t.typnamespace
  UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p JOIN outside o ON o.oid = p.pronamespace
  UNION ALL SELECT 'pg_extension'::regclass, x.oid FROM pg_extension x JOIN outside o ON o.oid = x.extnamespace
  UNION ALL SELECT 'pg_namespace'::regclass, o.oid FROM outside o
  UNION ALL SELECT 'pg_operator'::regclass, x.oid FROM pg_operator x JOIN outside o ON o.oid = x.oprnamespace
  UNION ALL SELECT 'pg_opclass'::regclass, x.oid FROM pg_opclass x JOIN outside o ON o.oid = x.opcnamespace
  UNION ALL SELECT 'pg_opfamily'::regclass, x.oid FROM pg_opfamily x JOIN outside o ON o.oid = x.opfnamespace
  UNION ALL SELECT 'pg_collation'::regclass, x.oid FROM pg_collation x JOIN outside o ON o.oid = x.collnamespace
  UNION ALL SELECT 'pg_ts_config'::regclass, x.oid FROM pg_ts_config x JOIN outside o ON o.oid = x.cfgnamespace
  UNION ALL SELECT 'pg_ts_dict'::regclass, x.oid FROM pg_ts_dict x JOIN outside o ON o.oid = x.dictnamespace
  UNION ALL SELECT 'pg_constraint'::regclass, x.oid FROM pg_constraint x JOIN outside o ON o.oid = x.connamespace
),
-- Dependencies on them, and what the source names ($2, $3: schemas and
-- names; a schema alone has the name ''), which stands as used by the
-- managed schema $1[1].
cand(classid, objid, refclassid, refobjid, leaf) AS (
  SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.classid IN ('pg_trigger'::regclass, 'pg_policy'::regclass)
  FROM pg_depend d JOIN obj ON obj.cls = d.refclassid AND obj.oid = d.refobjid
  WHERE d.deptype IN ('n', 'a')
  UNION ALL
  SELECT 'pg_namespace'::regclass, (SELECT oid FROM pg_namespace WHERE nspname = ($1::text[])[1]), q.cls, q.oid, false
  FROM (
    SELECT 'pg_class'::regclass AS cls, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = c.relname
    UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = t.typname
    UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = p.proname
    UNION ALL SELECT 'pg_collation'::regclass, c.oid FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = c.collname
    UNION ALL SELECT 'pg_ts_config'::regclass, c.oid FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = c.cfgname
    UNION ALL SELECT 'pg_namespace'::regclass, n.oid FROM pg_namespace n
      JOIN unnest($2::text[], $3::text[]) q(s, o) ON q.s = n.nspname AND q.o = ''
  ) q
),
sub(cls, oid, ocls, ooid) AS (
  SELECT 'pg_attrdef'::regclass, oid, 'pg_class'::regclass, adrelid FROM pg_attrdef
  UNION ALL SELECT 'pg_constraint'::regclass, oid, 'pg_class'::regclass, conrelid FROM pg_constraint WHERE conrelid <> 0
  UNION ALL SELECT 'pg_constraint'::regclass, oid, 'pg_type'::regclass, contypid FROM pg_constraint WHERE contypid <> 0
  UNION ALL SELECT 'pg_rewrite'::regclass, oid, 'pg_class'::regclass, ev_class FROM pg_rewrite WHERE rulename = '_RETURN'
  UNION ALL SELECT 'pg_trigger'::regclass, oid, 'pg_class'::regclass, tgrelid FROM pg_trigger
  UNION ALL SELECT 'pg_policy'::regclass, oid, 'pg_class'::regclass, polrelid FROM pg_policy
  UNION ALL SELECT 'pg_type'::regclass, t.oid, 'pg_class'::regclass, t.typrelid
    FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE c.relkind <> 'c'
  UNION ALL SELECT 'pg_class'::regclass, oid, 'pg_type'::regclass, reltype FROM pg_class WHERE relkind = 'c'
  UNION ALL SELECT 'pg_type'::regclass, a.oid, 'pg_type'::regclass, e.oid FROM pg_type e JOIN pg_type a ON a.oid = e.typarray
),
nsp(cls, oid, ns) AS (
  SELECT 'pg_class'::regclass, oid, relnamespace FROM pg_class
  UNION ALL SELECT 'pg_type'::regclass, oid, typnamespace FROM pg_type
  UNION ALL SELECT 'pg_proc'::regclass, oid, pronamespace FROM pg_proc
  UNION ALL SELECT 'pg_extension'::regclass, oid, extnamespace FROM pg_extension
  UNION ALL SELECT 'pg_namespace'::regclass, oid, oid FROM pg_namespace
  UNION ALL SELECT 'pg_operator'::regclass, oid, oprnamespace FROM pg_operator
  UNION ALL SELECT 'pg_opclass'::regclass, oid, opcnamespace FROM pg_opclass
  UNION ALL SELECT 'pg_opfamily'::regclass, oid, opfnamespace FROM pg_opfamily
  UNION ALL SELECT 'pg_collation'::regclass, oid, collnamespace FROM pg_collation
  UNION ALL SELECT 'pg_ts_config'::regclass, oid, cfgnamespace FROM pg_ts_config
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid, dictnamespace FROM pg_ts_dict
  UNION ALL SELECT 'pg_statistic_ext'::regclass, oid, stxnamespace FROM pg_statistic_ext
),
norm AS (
  SELECT coalesce(s.ocls, c.classid) AS scls, coalesce(s.ooid, c.objid) AS soid,
         coalesce(x.refclassid, t.ocls, c.refclassid) AS tcls, coalesce(x.refobjid, t.ooid, c.refobjid) AS toid, c.leaf
  FROM cand c
  LEFT JOIN sub s ON s.cls = c.classid AND s.oid = c.objid
  LEFT JOIN sub t ON t.cls = c.refclassid AND t.oid = c.refobjid
  LEFT JOIN pg_depend x ON x.classid = coalesce(t.ocls, c.refclassid) AND x.objid = coalesce(t.ooid, c.refobjid) AND x.deptype = 'e'
),
edge AS (
  SELECT e.scls, e.soid, sn.ns AS sns, e.tcls, e.toid, e.leaf
  FROM norm e
  LEFT JOIN nsp sn ON sn.cls = e.scls AND sn.oid = e.soid
  WHERE NOT (e.scls = e.tcls AND e.soid = e.toid)
),
used(cls, oid) AS (
  SELECT e.tcls, e.toid FROM edge e JOIN pg_namespace n ON n.oid = e.sns WHERE n.nspname = ANY($1)
  UNION
  SELECT e.tcls, e.toid FROM edge e JOIN used u ON u.cls = e.scls AND u.oid = e.soid WHERE NOT e.leaf
)
SELECT u.cls::oid, u.oid, n.nspname
FROM used u
JOIN nsp ON nsp.cls = u.cls AND nsp.oid = u.oid
JOIN outside o ON o.oid = nsp.ns
JOIN pg_namespace n ON n.oid = nsp.ns
ORDER BY 3, 1, 2`

// outsideSchemasQuery says whether there is any schema outsideQuery looks
// in (its "outside" part).
const outsideSchemasQuery = `SELECT EXISTS (SELECT FROM pg_namespace` + outsideSchemas + `)`

// outsideSchemas picks the schemas that are neither managed ($1) nor the
// system's.
const outsideSchemas = `
  WHERE NOT nspname = ANY($1) AND nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
`

// outsideIDsQuery names the objects found by outsideQuery as the model
// does: $1 their schemas, $2 and $3 their catalogs and oids.
var outsideIDsQuery = "WITH " + dependObjects + `,
p(classid, objid) AS (SELECT * FROM unnest($2::oid[], $3::oid[]))
SELECT o.kind, o.nsp, o.name, o.sub FROM p JOIN objs o ON o.classid = p.classid::regclass AND o.objid = p.objid
WHERE o.kind <> ''
UNION ALL
SELECT 'collation', n.nspname, c.collname, '' FROM p JOIN pg_collation c ON p.classid = 'pg_collation'::regclass AND c.oid = p.objid
JOIN pg_namespace n ON n.oid = c.collnamespace
UNION ALL
SELECT 'text search configuration', n.nspname, c.cfgname, '' FROM p JOIN pg_ts_config c ON p.classid = 'pg_ts_config'::regclass AND c.oid = p.objid
JOIN pg_namespace n ON n.oid = c.cfgnamespace`

// Outside reads the objects outside the managed schemas (opts.Schemas)
// that managed objects use, directly or through one another: a column's
// type from another schema (a domain over a type from a third one), an
// extension whose type or function is used (CREATE EXTENSION … WITH SCHEMA
// …), a table a foreign key references, a function a default or a
// signature uses. What the source uses (names, asked for only when there
// is a schema to look in: source.Set.QualifiedNames) counts too, though
// nothing managed on live uses it yet. It returns them
// as a model of their own, with their schemas, without grants, owners,
// policies, triggers or anything else nothing managed uses; nil when there
// are none. Scratch databases create them before anything else, as live
// has them; they are never compared.
func Outside(ctx context.Context, conn *pgx.Conn, opts Options, names func() ([]source.Name, error)) (*model.Model, error) {
	if len(opts.Schemas) == 0 {
		return nil, nil
	}
	// outsideQuery costs tens of milliseconds in a new session, mostly to
	// plan; a database whose only schemas are the managed ones, the common
	// case, needs none of it, nor the source's names.
	var exist bool
	if err := conn.QueryRow(ctx, outsideSchemasQuery, opts.Schemas).Scan(&exist); err != nil {
		return nil, fmt.Errorf("find the objects outside the managed schemas that they use: %w", err)
	}
	if !exist {
		return nil, nil
	}
	var used []source.Name
	if names != nil {
		var err error
		if used, err = names(); err != nil {
			return nil, err
		}
	}
	qs, qn := make([]string, len(used)), make([]string, len(used))
	for i, n := range used {
		qs[i], qn[i] = n.Schema, n.Name
	}
	rows, err := conn.Query(ctx, outsideQuery, opts.Schemas, qs, qn)
	if err != nil {
		return nil, fmt.Errorf("find the objects outside the managed schemas that they use: %w", err)
	}
	var classes, oids []uint32
	schemaSet := map[string]bool{}
	var cls, oid uint32
	var nsp string
	_, err = pgx.ForEachRow(rows, []any{&cls, &oid, &nsp}, func() error {
		classes, oids = append(classes, cls), append(oids, oid)
		schemaSet[nsp] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find the objects outside the managed schemas that they use: %w", err)
	}
	if len(oids) == 0 {
		return nil, nil
	}
	schemas := make([]string, 0, len(schemaSet))
	for s := range schemaSet {
		schemas = append(schemas, s)
	}
	sort.Strings(schemas)
	rows, err = conn.Query(ctx, outsideIDsQuery, schemas, classes, oids)
	if err != nil {
		return nil, fmt.Errorf("name the objects outside the managed schemas that they use: %w", err)
	}
	keep := map[model.ObjectID]bool{}
	var id model.ObjectID
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&kind, &id.Schema, &id.Name, &id.Sub}, func() error {
		id.Kind = model.Kind(kind)
		keep[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("name the objects outside the managed schemas that they use: %w", err)
	}
	all, err := Inspect(ctx, conn, Options{Schemas: schemas})
	if err != nil {
		return nil, err
	}
	return keepOnly(all, keep), nil
}

// keepOnly is the part of m that keep names, with the schemas of m; the
// objects of a kept table (columns, constraints) come with it.
func keepOnly(m *model.Model, keep map[model.ObjectID]bool) *model.Model {
	out := model.New()
	out.Schemas = m.Schemas
	out.Deps = m.Deps
	filter(m.Extensions, out.Extensions, func(e *model.Extension) model.ObjectID {
		return model.ObjectID{Kind: model.KindExtension, Name: e.Name}
	}, keep)
	filter(m.Tables, out.Tables, func(t *model.Table) model.ObjectID { return model.ID(model.KindTable, t.Name) }, keep)
	filter(m.Indexes, out.Indexes, func(x *model.Index) model.ObjectID { return model.ID(model.KindIndex, x.Name) }, keep)
	filter(m.Sequences, out.Sequences, func(s *model.Sequence) model.ObjectID { return model.ID(model.KindSequence, s.Name) }, keep)
	filter(m.Views, out.Views, func(v *model.View) model.ObjectID { return model.ID(model.KindView, v.Name) }, keep)
	filter(m.MatViews, out.MatViews, func(v *model.MatView) model.ObjectID { return model.ID(model.KindMatView, v.Name) }, keep)
	filter(m.Enums, out.Enums, func(e *model.Enum) model.ObjectID { return model.ID(model.KindEnum, e.Name) }, keep)
	filter(m.Domains, out.Domains, func(d *model.Domain) model.ObjectID { return model.ID(model.KindDomain, d.Name) }, keep)
	filter(m.Composites, out.Composites, func(c *model.Composite) model.ObjectID { return model.ID(model.KindComposite, c.Name) }, keep)
	filter(m.Ranges, out.Ranges, func(r *model.Range) model.ObjectID { return model.ID(model.KindRange, r.Name) }, keep)
	filter(m.Collations, out.Collations, func(c *model.Collation) model.ObjectID { return model.ID(model.KindCollation, c.Name) }, keep)
	filter(m.TextSearchConfigs, out.TextSearchConfigs, func(c *model.TextSearchConfig) model.ObjectID {
		return model.ID(model.KindTextSearchCfg, c.Name)
	}, keep)
	filter(m.Functions, out.Functions, (*model.Function).ID, keep)
	filter(m.Operators, out.Operators, (*model.Operator).ID, keep)
	filter(m.OpClasses, out.OpClasses, (*model.OpClass).ID, keep)
	filter(m.OpFamilies, out.OpFamilies, (*model.OpFamily).ID, keep)
	return out
}

func filter[K comparable, V any](from, to map[K]V, id func(V) model.ObjectID, keep map[model.ObjectID]bool) {
	for k, v := range from {
		if keep[id(v)] {
			to[k] = v
		}
	}
}
