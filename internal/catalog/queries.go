package catalog

// The catalog queries, one per kind. Each takes the managed schema names as
// $1 (text[]) and runs with search_path = pg_catalog, so that PostgreSQL's
// deparsers qualify every name they print. Objects that belong to an
// extension are left out: the extension owns them, not the source.

// notExtensionMember is a predicate on a pg_class row aliased c.
const notExtensionMember = `NOT EXISTS (SELECT 1 FROM pg_depend e
	WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`

const schemasQuery = `
SELECT n.nspname, coalesce(obj_description(n.oid, 'pg_namespace'), '')
FROM pg_namespace n
WHERE n.nspname = ANY($1)`

const relationsQuery = `
SELECT n.nspname, c.relname, c.relkind::text,
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid, true) ELSE '' END,
       coalesce(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY o), '{}'),
       c.reltuples::float8, c.relpages::int8,
       coalesce(fs.srvname, ''), coalesce(ARRAY(SELECT o FROM unnest(ft.ftoptions) o ORDER BY o), '{}')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'f')
  AND ` + notExtensionMember + `
ORDER BY 1, 2`

const columnsQuery = `
SELECT n.nspname, c.relname, a.attname,
       format_type(a.atttypid, a.atttypmod),
       -- a NOT VALID NOT NULL constraint (PostgreSQL 18) sets attnotnull
       -- but proves nothing: the column is not NOT NULL until validated
       a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_constraint nn WHERE nn.conrelid = c.oid
         AND nn.contype = 'n' AND NOT nn.convalidated AND nn.conkey[1] = a.attnum),
       coalesce(pg_get_expr(ad.adbin, ad.adrelid), ''),
       a.attidentity::text,
       a.attgenerated::text,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END,
       coalesce(col_description(c.oid, a.attnum), ''),
       coalesce(ARRAY(SELECT o FROM unnest(a.attfdwoptions) o ORDER BY o), '{}'),
       NOT a.attislocal AND NOT c.relispartition AND c.relkind IN ('r', 'p')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'f')
  AND ` + notExtensionMember + `
ORDER BY n.nspname, c.relname, a.attnum`

// NOT NULL constraints (contype 'n', PostgreSQL 18) are modelled as the
// column's NotNull; inherited constraints belong to their parent.
const constraintsQuery = `
SELECT n.nspname, c.relname, co.conname, co.contype::text,
       pg_get_constraintdef(co.oid), co.convalidated,
       coalesce(rn.nspname, ''), coalesce(rc.relname, ''),
       coalesce(obj_description(co.oid, 'pg_constraint'), '')
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'f')
  AND co.contype IN ('p', 'u', 'c', 'f', 'x') AND co.conislocal AND co.conparentid = 0
  AND ` + notExtensionMember + `
ORDER BY 1, 2, 3`

// Indexes that implement a PRIMARY KEY, UNIQUE or EXCLUDE constraint belong
// to the constraint and are not listed here.
const indexesQuery = `
SELECT n.nspname, ic.relname, tn.nspname, c.relname,
       pg_get_indexdef(i.indexrelid), i.indisunique,
       coalesce(obj_description(i.indexrelid, 'pg_class'), ''), NOT i.indisvalid
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition
  AND ` + notExtensionMember + `
  AND NOT EXISTS (SELECT 1 FROM pg_constraint co
                  WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                    AND co.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2`

// partitionIndexesQuery lists the indexes attached, at any depth, to each
// index that is not itself a partition's: top index, partition, its index.
const partitionIndexesQuery = `
WITH RECURSIVE tree(top, child) AS (
  SELECT i.inhparent, i.inhrelid FROM pg_inherits i
  JOIN pg_class p ON p.oid = i.inhparent
  WHERE p.relkind IN ('i', 'I') AND NOT p.relispartition
  UNION ALL
  SELECT t.top, i.inhrelid FROM tree t JOIN pg_inherits i ON i.inhparent = t.child
)
SELECT n.nspname, p.relname, tn.nspname, c.relname, ic.relname
FROM tree t
JOIN pg_class p ON p.oid = t.top
JOIN pg_namespace n ON n.oid = p.relnamespace
JOIN pg_class ic ON ic.oid = t.child
JOIN pg_index i ON i.indexrelid = t.child
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE n.nspname = ANY($1)
ORDER BY 1, 2, 3, 4`

// A sequence is owned by a column through a pg_depend row: deptype 'a' for
// OWNED BY (serial), 'i' for the implicit sequence of an identity column.
const sequencesQuery = `
SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL),
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       coalesce(d.deptype::text, ''), coalesce(tn.nspname, ''), coalesce(tc.relname, ''), coalesce(ta.attname, '')
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
WHERE n.nspname = ANY($1) AND ` + notExtensionMember + `
ORDER BY 1, 2`

const enumsQuery = `
SELECT n.nspname, t.typname,
       coalesce(array_agg(e.enumlabel ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}'),
       coalesce(obj_description(t.oid, 'pg_type'), '')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1) AND t.typtype = 'e'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x
                  WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
GROUP BY t.oid, n.nspname, t.typname
ORDER BY 1, 2`

// dependObjects is the CTE objs(classid, objid, kind, nsp, name, sub):
// the catalog rows of the schemas in $1, as the model's ObjectIDs name the
// objects they stand for.
var dependObjects = `objs(classid, objid, kind, nsp, name, sub) AS (
  SELECT 'pg_class'::regclass, c.oid,
         CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'f' THEN 'table' WHEN 'v' THEN 'view' WHEN 'S' THEN 'sequence'
                        WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'm' THEN 'materialized view'
                        WHEN 'c' THEN 'composite type' ELSE '' END,
         n.nspname, c.relname, ''
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'f', 'v', 'S', 'i', 'I', 'm', 'c')
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid,
         CASE t.typtype WHEN 'e' THEN 'type' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite type'
                        WHEN 'r' THEN 'range type' END,
         n.nspname, t.typname, ''
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_class tc ON tc.oid = t.typrelid
  WHERE n.nspname = ANY($1) AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
  UNION ALL
  SELECT 'pg_extension'::regclass, x.oid, 'extension', '', x.extname, ''
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_statistic_ext'::regclass, s.oid, 'statistics', n.nspname, s.stxname, ''
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_constraint'::regclass, co.oid, 'constraint', n.nspname, c.relname, co.conname
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1)
  UNION ALL
  -- A domain's constraints stand for the domain (what its CHECKs call, it
  -- uses).
  SELECT 'pg_constraint'::regclass, co.oid, 'domain', n.nspname, t.typname, ''
  FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid
  JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY($1)  UNION ALL
  SELECT 'pg_rewrite'::regclass, r.oid, 'view', n.nspname, c.relname, ''
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND c.relkind = 'v' AND r.rulename = '_RETURN'
  UNION ALL
  -- Other rules (CREATE RULE) are their own objects, on tables and views.
  SELECT 'pg_rewrite'::regclass, r.oid, 'rule', n.nspname, c.relname, r.rulename
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'pg_rewrite'::regclass, r.oid, 'materialized view', n.nspname, c.relname, ''
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND c.relkind = 'm'
  UNION ALL
  SELECT 'pg_attrdef'::regclass, ad.oid, 'column', n.nspname, c.relname, a.attname
  FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, 'function', n.nspname, p.proname, ` + functionIdentityArgs + `
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_operator'::regclass, o.oid, 'operator', n.nspname, o.oprname,
         CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ', ' || format_type(o.oprright, NULL)
  FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_opclass'::regclass, c.oid, 'operator class', n.nspname, c.opcname, am.amname
  FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_opfamily'::regclass, f.oid, 'operator family', n.nspname, f.opfname, am.amname
  FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
  WHERE n.nspname = ANY($1)
  UNION ALL
  -- The operators and functions of an operator class or family stand for
  -- it (what they use, it uses).
  SELECT m.cls, m.oid, CASE WHEN c.oid IS NULL THEN 'operator family' ELSE 'operator class' END,
         n.nspname, coalesce(c.opcname, f.opfname), am.amname
  FROM (SELECT 'pg_amop'::regclass, oid FROM pg_amop UNION ALL SELECT 'pg_amproc'::regclass, oid FROM pg_amproc) m(cls, oid)
  JOIN pg_depend d ON d.classid = m.cls AND d.objid = m.oid AND d.deptype IN ('i', 'a')
       AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
  LEFT JOIN pg_opclass c ON d.refclassid = 'pg_opclass'::regclass AND c.oid = d.refobjid
  LEFT JOIN pg_opfamily f ON d.refclassid = 'pg_opfamily'::regclass AND f.oid = d.refobjid
  JOIN pg_namespace n ON n.oid = coalesce(c.opcnamespace, f.opfnamespace)
  JOIN pg_am am ON am.oid = coalesce(c.opcmethod, f.opfmethod)
  WHERE n.nspname = ANY($1)
  UNION ALL
  SELECT 'pg_trigger'::regclass, tg.oid, 'trigger', n.nspname, c.relname, tg.tgname
  FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND NOT tg.tgisinternal
  UNION ALL
  -- A table's or view's row type, and the array type over it, stand for
  -- the relation (functions taking or returning rows of it, or arrays of
  -- them, depend on it).
  SELECT 'pg_type'::regclass, x.oid, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END,
         n.nspname, c.relname, ''
  FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
  CROSS JOIN LATERAL (VALUES (t.oid), (t.typarray)) x(oid)
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'f', 'v') AND x.oid <> 0
  UNION ALL
  SELECT 'pg_policy'::regclass, p.oid, 'policy', n.nspname, c.relname, p.polname
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1)
)`

// dependsQuery maps pg_depend onto model objects: rewrite rules stand for
// their view, column defaults for their table, and a dependency on specific
// columns of a table is reported at the column level (refsub) as well.
var dependsQuery = "WITH " + dependObjects + `
SELECT DISTINCT o.kind, o.nsp, o.name, o.sub, r.kind, r.nsp, r.name,
       coalesce(CASE WHEN d.refobjsubid > 0 AND r.kind IN ('table', 'materialized view') THEN a.attname END, ''),
       CASE WHEN r.kind IN ('function', 'operator', 'operator class', 'operator family') THEN r.sub ELSE '' END
FROM pg_depend d
JOIN objs o ON o.classid = d.classid AND o.objid = d.objid
JOIN objs r ON r.classid = d.refclassid AND r.objid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.deptype IN ('n', 'a') AND o.kind <> '' AND r.kind <> ''
  AND NOT (o.kind = r.kind AND o.nsp = r.nsp AND o.name = r.name AND o.sub = r.sub)`

// serversQuery reads every foreign server of the database but those of
// extensions, with the extension that creates its wrapper ("" for none).
const serversQuery = `
SELECT s.srvname, w.fdwname, coalesce(s.srvtype, ''), coalesce(s.srvversion, ''),
       coalesce(ARRAY(SELECT o FROM unnest(s.srvoptions) o ORDER BY o), '{}'),
       coalesce(obj_description(s.oid, 'pg_foreign_server'), ''),
       coalesce((SELECT x.extname FROM pg_depend e JOIN pg_extension x ON x.oid = e.refobjid
                 WHERE e.classid = 'pg_foreign_data_wrapper'::regclass AND e.objid = w.oid
                   AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'), '')
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE $1::text[] IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_foreign_server'::regclass
                  AND e.objid = s.oid AND e.deptype = 'e')
ORDER BY 1`
