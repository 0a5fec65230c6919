package catalog

import (
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// notMember is the extension-member predicate for an object of catalog
// class cls whose oid is the expression oid.
func notMember(cls, oid string) string {
	return `NOT EXISTS (SELECT 1 FROM pg_depend e
	WHERE e.classid = '` + cls + `'::regclass AND e.objid = ` + oid + ` AND e.deptype = 'e')`
}

const extensionsQuery = `
SELECT e.extname, n.nspname, e.extversion
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = ANY($1)
ORDER BY 1`

// tableExtrasQuery reads what partitioned tables, partitions, storage
// parameters, a replica identity and inheritance parents add to a table
// read by relationsQuery.
// An identity on an index that no longer exists acts as NOTHING.
const tableExtrasQuery = `
SELECT n.nspname, c.relname, c.relpersistence = 'u',
       coalesce(pg_get_partkeydef(c.oid), ''),
       coalesce(pn.nspname, ''), coalesce(pc.relname, ''),
       CASE WHEN c.relispartition THEN coalesce(pg_get_expr(c.relpartbound, c.oid), '') ELSE '' END,
       coalesce(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY o), '{}'),
       CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
         WHEN 'i' THEN coalesce((SELECT 'USING INDEX ' || quote_ident(ic.relname)
           FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
           WHERE x.indrelid = c.oid AND x.indisreplident), 'NOTHING')
         ELSE '' END,
       coalesce((SELECT quote_ident(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                 WHERE x.indrelid = c.oid AND x.indisclustered), ''),
       ARRAY(SELECT ipn.nspname FROM pg_inherits ii JOIN pg_class ipc ON ipc.oid = ii.inhparent
             JOIN pg_namespace ipn ON ipn.oid = ipc.relnamespace
             WHERE ii.inhrelid = c.oid AND NOT c.relispartition ORDER BY ii.inhseqno),
       ARRAY(SELECT ipc.relname FROM pg_inherits ii JOIN pg_class ipc ON ipc.oid = ii.inhparent
             WHERE ii.inhrelid = c.oid AND NOT c.relispartition ORDER BY ii.inhseqno)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p')
  AND ` + notExtensionMember + `
ORDER BY 1, 2`

// columnStorageQuery reads each column's storage where it differs from the
// type's default, its explicit compression method, the type's default, and
// the column's statistics target and options.
const columnStorageQuery = `
SELECT n.nspname, c.relname, a.attname,
       CASE WHEN a.attstorage <> t.typstorage THEN
         CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END
       ELSE '' END,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' ELSE '' END,
       CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text ELSE '' END,
       coalesce(ARRAY(SELECT o FROM unnest(a.attoptions) o ORDER BY o), '{}')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p')
  AND ` + notExtensionMember + `
ORDER BY 1, 2, 3`

// indexStatsTargetsQuery reads the statistics targets set on index
// columns, as "attnum=target".
const indexStatsTargetsQuery = `
SELECT n.nspname, c.relname, a.attnum || '=' || a.attstattarget
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
WHERE n.nspname = ANY($1) AND c.relkind IN ('i', 'I') AND a.attstattarget >= 0
  AND ` + notExtensionMember + `
ORDER BY 1, 2, a.attnum`

const matviewsQuery = `
SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true),
       coalesce(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY o), '{}'),
       coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind = 'm'
  AND ` + notExtensionMember + `
ORDER BY 1, 2`

const matviewColumnsQuery = `
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
       coalesce(col_description(c.oid, a.attnum), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = ANY($1) AND c.relkind = 'm'
  AND ` + notExtensionMember + `
ORDER BY n.nspname, c.relname, a.attnum`

// Domain NOT NULL constraints (contype 'n', PostgreSQL 17+) are modelled
// as NotNull.
var domainsQuery = `
SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull,
       coalesce(pg_get_expr(t.typdefaultbin, 0), ''),
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END,
       coalesce(obj_description(t.oid, 'pg_type'), ''),
       coalesce((SELECT json_agg(json_build_object('name', k.conname, 'def', pg_get_constraintdef(k.oid),
                                                   'validated', k.convalidated,
                                                   'comment', coalesce(obj_description(k.oid, 'pg_constraint'), ''))
                                 ORDER BY k.conname)
                 FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '[]')::text
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE n.nspname = ANY($1) AND t.typtype = 'd' AND ` + notMember("pg_type", "t.oid") + `
ORDER BY 1, 2`

var compositesQuery = `
SELECT n.nspname, t.typname, coalesce(obj_description(t.oid, 'pg_type'), ''),
       coalesce((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                   'collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                                     THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END)
                   ORDER BY a.attnum)
                 FROM pg_attribute a
                 JOIN pg_type at ON at.oid = a.atttypid
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation
                 LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '[]')::text
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
WHERE n.nspname = ANY($1) AND t.typtype = 'c' AND ` + notMember("pg_type", "t.oid") + `
ORDER BY 1, 2`

var rangesQuery = `
SELECT n.nspname, t.typname, format_type(r.rngsubtype, NULL),
       CASE WHEN opc.opcdefault THEN '' ELSE quote_ident(on_.nspname) || '.' || quote_ident(opc.opcname) END,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END,
       CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text ELSE '' END,
       CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text ELSE '' END,
       coalesce(mn.nspname, ''), coalesce(mt.typname, ''),
       coalesce(obj_description(t.oid, 'pg_type'), '')
FROM pg_range r
JOIN pg_type t ON t.oid = r.rngtypid
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type st ON st.oid = r.rngsubtype
JOIN pg_opclass opc ON opc.oid = r.rngsubopc
JOIN pg_namespace on_ ON on_.oid = opc.opcnamespace
LEFT JOIN pg_collation co ON co.oid = r.rngcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_type mt ON mt.oid = r.rngmultitypid
LEFT JOIN pg_namespace mn ON mn.oid = mt.typnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_type", "t.oid") + `
ORDER BY 1, 2`

var statisticsQuery = `
SELECT n.nspname, s.stxname, tn.nspname, c.relname, pg_get_statisticsobjdef(s.oid),
       coalesce(s.stxstattarget::int, -1),
       coalesce(obj_description(s.oid, 'pg_statistic_ext'), '')
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_statistic_ext", "s.oid") + `
ORDER BY 1, 2`

// The ICU locale column is colliculocale up to PostgreSQL 16 and
// colllocale from 17: read through to_jsonb so one query serves both.
var collationsQuery = `
SELECT n.nspname, co.collname,
       CASE co.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' WHEN 'b' THEN 'builtin' ELSE 'default' END,
       coalesce(to_jsonb(co)->>'colliculocale', to_jsonb(co)->>'colllocale', ''),
       coalesce(co.collcollate::text, ''), coalesce(co.collctype::text, ''),
       co.collisdeterministic,
       coalesce(obj_description(co.oid, 'pg_collation'), '')
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_collation", "co.oid") + `
ORDER BY 1, 2`

var textSearchConfigsQuery = `
SELECT n.nspname, c.cfgname, quote_ident(pn.nspname) || '.' || quote_ident(p.prsname),
       coalesce(ARRAY(SELECT t.alias || ': ' || string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno)
                      FROM pg_ts_config_map m
                      JOIN ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype
                      WHERE m.mapcfg = c.oid
                      GROUP BY t.alias ORDER BY t.alias), '{}'),
       coalesce(obj_description(c.oid, 'pg_ts_config'), '')
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_ts_config", "c.oid") + `
ORDER BY 1, 2`

// operatorsQuery reads user-defined operators; commutator and negator are
// spelled OPERATOR(schema.op) as CREATE OPERATOR takes them.
var operatorsQuery = `
SELECT n.nspname, o.oprname,
       CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END,
       format_type(o.oprright, NULL),
       o.oprcode::regproc::text,
       coalesce((SELECT 'OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
                 FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom), ''),
       coalesce((SELECT 'OPERATOR(' || quote_ident(gn.nspname) || '.' || g.oprname || ')'
                 FROM pg_operator g JOIN pg_namespace gn ON gn.oid = g.oprnamespace WHERE g.oid = o.oprnegate), ''),
       CASE WHEN o.oprrest = 0 THEN '' ELSE o.oprrest::regproc::text END,
       CASE WHEN o.oprjoin = 0 THEN '' ELSE o.oprjoin::regproc::text END,
       o.oprcanhash, o.oprcanmerge,
       coalesce(obj_description(o.oid, 'pg_operator'), '')
FROM pg_operator o
JOIN pg_namespace n ON n.oid = o.oprnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_operator", "o.oid") + `
ORDER BY 1, 2, 3, 4`

// queueTypes queues the queries of this file; tableExtras and storage run
// after the tables and columns they complete. Index statistics targets
// are queued after the indexes, by Inspect.
func (r *reader) queueTypes(queue func(name, sql string, scan func(pgx.Rows) error)) {
	queue("extensions", extensionsQuery, r.extension)
	queue("partitions and table options", tableExtrasQuery, r.tableExtras)
	queue("column storage", columnStorageQuery, r.columnStorage)
	queue("materialized views", matviewsQuery, r.matview)
	queue("materialized view columns", matviewColumnsQuery, r.matviewColumn)
	queue("domains", domainsQuery, r.domain)
	queue("composite types", compositesQuery, r.composite)
	queue("range types", rangesQuery, r.rangeType)
	queue("statistics", statisticsQuery, r.statistics)
	queue("collations", collationsQueryFor(r.major), r.collation)
	queue("text search configurations", textSearchConfigsQuery, r.textSearchConfig)
	queue("operators", operatorsQuery, r.operator)
	queue("operator classes", opClassesQuery, r.opClass)
	queue("operator families", opFamiliesQuery, r.opFamily)
}

func (r *reader) operator(rows pgx.Rows) error {
	o := &model.Operator{}
	if err := rows.Scan(&o.Name.Schema, &o.Name.Name, &o.Left, &o.Right, &o.Function, &o.Commutator, &o.Negator,
		&o.Restrict, &o.Join, &o.Hashes, &o.Merges, &o.Comment); err != nil {
		return err
	}
	r.m.Operators[o.Key()] = o
	return nil
}

func (r *reader) extension(rows pgx.Rows) error {
	e := &model.Extension{}
	if err := rows.Scan(&e.Name, &e.Schema, &e.Version); err != nil {
		return err
	}
	r.m.Extensions[e.Name] = e
	return nil
}

func (r *reader) tableExtras(rows pgx.Rows) error {
	var (
		name, parent model.QName
		unlogged     bool
		partBy       string
		bound        string
		options      []string
		replica      string
		cluster      string
		inhSchemas   []string
		inhNames     []string
	)
	if err := rows.Scan(&name.Schema, &name.Name, &unlogged, &partBy, &parent.Schema, &parent.Name, &bound, &options, &replica, &cluster,
		&inhSchemas, &inhNames); err != nil {
		return err
	}
	t := r.m.Tables[name]
	if t == nil {
		return nil
	}
	t.Unlogged, t.PartitionBy, t.Options, t.ReplicaIdentity, t.ClusterOn = unlogged, partBy, options, replica, cluster
	if parent.Name != "" {
		t.PartitionOf, t.Bound = &parent, bound
	}
	for i := range inhSchemas {
		t.Inherits = append(t.Inherits, model.QName{Schema: inhSchemas[i], Name: inhNames[i]})
	}
	return nil
}

func (r *reader) columnStorage(rows pgx.Rows) error {
	var (
		rel                       model.QName
		col, storage, compression string
		typeStorage, statsTarget  string
		options                   []string
	)
	if err := rows.Scan(&rel.Schema, &rel.Name, &col, &storage, &compression, &typeStorage, &statsTarget, &options); err != nil {
		return err
	}
	if t := r.m.Tables[rel]; t != nil {
		if c := t.Column(col); c != nil {
			c.Storage, c.Compression, c.TypeStorage = storage, compression, typeStorage
			c.StatsTarget, c.Options = statsTarget, options
		}
	}
	return nil
}

func (r *reader) indexStatsTarget(rows pgx.Rows) error {
	var (
		name   model.QName
		target string
	)
	if err := rows.Scan(&name.Schema, &name.Name, &target); err != nil {
		return err
	}
	if ix := r.m.Indexes[name]; ix != nil {
		ix.StatsTargets = append(ix.StatsTargets, target)
	}
	return nil
}

func (r *reader) matview(rows pgx.Rows) error {
	v := &model.MatView{}
	if err := rows.Scan(&v.Name.Schema, &v.Name.Name, &v.Definition, &v.Options, &v.Comment); err != nil {
		return err
	}
	r.m.MatViews[v.Name] = v
	return nil
}

func (r *reader) matviewColumn(rows pgx.Rows) error {
	var (
		rel model.QName
		c   model.ViewColumn
	)
	if err := rows.Scan(&rel.Schema, &rel.Name, &c.Name, &c.Type, &c.Comment); err != nil {
		return err
	}
	if v := r.m.MatViews[rel]; v != nil {
		v.Columns = append(v.Columns, c)
	}
	return nil
}

func (r *reader) domain(rows pgx.Rows) error {
	d := &model.Domain{}
	var cons string
	if err := rows.Scan(&d.Name.Schema, &d.Name.Name, &d.Type, &d.NotNull, &d.Default, &d.Collation, &d.Comment, &cons); err != nil {
		return err
	}
	var list []struct {
		Name      string `json:"name"`
		Def       string `json:"def"`
		Validated bool   `json:"validated"`
		Comment   string `json:"comment"`
	}
	if err := json.Unmarshal([]byte(cons), &list); err != nil {
		return fmt.Errorf("domain %s constraints: %w", d.Name, err)
	}
	if len(list) > 0 {
		d.Constraints = map[string]*model.Constraint{}
	}
	for _, c := range list {
		d.Constraints[c.Name] = &model.Constraint{Name: c.Name, Type: model.Check, Definition: c.Def, Validated: c.Validated, Comment: c.Comment}
	}
	r.m.Domains[d.Name] = d
	return nil
}

func (r *reader) composite(rows pgx.Rows) error {
	c := &model.Composite{}
	var attrs string
	if err := rows.Scan(&c.Name.Schema, &c.Name.Name, &c.Comment, &attrs); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(attrs), &c.Attributes); err != nil {
		return fmt.Errorf("type %s attributes: %w", c.Name, err)
	}
	r.m.Composites[c.Name] = c
	return nil
}

func (r *reader) rangeType(rows pgx.Rows) error {
	g := &model.Range{}
	if err := rows.Scan(&g.Name.Schema, &g.Name.Name, &g.Subtype, &g.OpClass, &g.Collation, &g.Canonical, &g.SubtypeDiff,
		&g.Multirange.Schema, &g.Multirange.Name, &g.Comment); err != nil {
		return err
	}
	r.m.Ranges[g.Name] = g
	return nil
}

func (r *reader) statistics(rows pgx.Rows) error {
	s := &model.Statistics{}
	var target int
	if err := rows.Scan(&s.Name.Schema, &s.Name.Name, &s.Table.Schema, &s.Table.Name, &s.Definition, &target, &s.Comment); err != nil {
		return err
	}
	if target >= 0 {
		s.Target = &target
	}
	r.m.Statistics[s.Name] = s
	return nil
}

func (r *reader) collation(rows pgx.Rows) error {
	c := &model.Collation{}
	if err := rows.Scan(&c.Name.Schema, &c.Name.Name, &c.Provider, &c.Locale, &c.LcCollate, &c.LcCtype, &c.Deterministic, &c.Comment); err != nil {
		return err
	}
	if c.Provider == "icu" {
		// An ICU collation's libc fields are whatever the server chose.
		c.LcCollate, c.LcCtype = "", ""
	}
	r.m.Collations[c.Name] = c
	return nil
}

func (r *reader) textSearchConfig(rows pgx.Rows) error {
	c := &model.TextSearchConfig{}
	if err := rows.Scan(&c.Name.Schema, &c.Name.Name, &c.Parser, &c.Mappings, &c.Comment); err != nil {
		return err
	}
	r.m.TextSearchConfigs[c.Name] = c
	return nil
}
