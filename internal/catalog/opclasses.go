package catalog

import (
	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// opMembers is a subquery: the OPERATOR and FUNCTION items (as CREATE
// OPERATOR CLASS and ALTER OPERATOR FAMILY ADD spell them) of pg_amop and
// pg_amproc rows that depend on owner (an OID expression of class cls) with
// deptype: 'i' for the members of a class, 'a' for those added to a family.
func opMembers(cls, owner, deptype string) string {
	dep := func(member, oid string) string {
		return `JOIN pg_depend d ON d.classid = '` + member + `'::regclass AND d.objid = ` + oid + `
		          AND d.refclassid = '` + cls + `'::regclass AND d.refobjid = ` + owner + ` AND d.deptype = '` + deptype + `'`
	}
	return `coalesce((SELECT array_agg(x.m ORDER BY x.ord, x.num, x.m) FROM (
	  SELECT 0 AS ord, ao.amopstrategy::int AS num,
	         'OPERATOR ' || ao.amopstrategy || ' ' || quote_ident(opn.nspname) || '.' || op.oprname
	         || ' (' || CASE WHEN ao.amoplefttype = 0 THEN 'NONE' ELSE format_type(ao.amoplefttype, NULL) END
	         || ', ' || format_type(ao.amoprighttype, NULL) || ')'
	         || CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' || quote_ident(sfn.nspname) || '.' || quote_ident(sf.opfname) ELSE '' END AS m
	  FROM pg_amop ao ` + dep("pg_amop", "ao.oid") + `
	  JOIN pg_operator op ON op.oid = ao.amopopr JOIN pg_namespace opn ON opn.oid = op.oprnamespace
	  LEFT JOIN pg_opfamily sf ON sf.oid = ao.amopsortfamily LEFT JOIN pg_namespace sfn ON sfn.oid = sf.opfnamespace
	  UNION ALL
	  SELECT 1, ap.amprocnum::int,
	         'FUNCTION ' || ap.amprocnum || ' (' || format_type(ap.amproclefttype, NULL) || ', '
	         || format_type(ap.amprocrighttype, NULL) || ') ' || ap.amproc::regprocedure::text
	  FROM pg_amproc ap ` + dep("pg_amproc", "ap.oid") + `
	) x), '{}')`
}

// A class's family is spelled only when it is not the one of the same name
// (which CREATE OPERATOR CLASS makes when FAMILY is left out).
var opClassesQuery = `
SELECT n.nspname, c.opcname, am.amname, format_type(c.opcintype, NULL),
       CASE WHEN c.opckeytype = 0 THEN '' ELSE format_type(c.opckeytype, NULL) END, c.opcdefault,
       CASE WHEN f.opfname = c.opcname AND f.opfnamespace = c.opcnamespace THEN ''
            ELSE quote_ident(fn.nspname) || '.' || quote_ident(f.opfname) END,
       ` + opMembers("pg_opclass", "c.oid", "i") + `,
       coalesce(obj_description(c.oid, 'pg_opclass'), '')
FROM pg_opclass c
JOIN pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_am am ON am.oid = c.opcmethod
JOIN pg_opfamily f ON f.oid = c.opcfamily
JOIN pg_namespace fn ON fn.oid = f.opfnamespace
WHERE n.nspname = ANY($1) AND ` + notMember("pg_opclass", "c.oid") + `
ORDER BY 1, 2, 3`

// The family a class made for itself is read only when members were added
// to it loosely (ALTER OPERATOR FAMILY ADD); otherwise it is the class's.
var opFamiliesQuery = `
SELECT * FROM (
  SELECT n.nspname, f.opfname, am.amname,
         EXISTS (SELECT 1 FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = f.opfname
                   AND c.opcnamespace = f.opfnamespace) AS implicit,
         ` + opMembers("pg_opfamily", "f.oid", "a") + ` AS members,
         coalesce(obj_description(f.oid, 'pg_opfamily'), '')
  FROM pg_opfamily f
  JOIN pg_namespace n ON n.oid = f.opfnamespace
  JOIN pg_am am ON am.oid = f.opfmethod
  WHERE n.nspname = ANY($1) AND ` + notMember("pg_opfamily", "f.oid") + `
) f
WHERE NOT f.implicit OR cardinality(f.members) > 0
ORDER BY 1, 2, 3`

func (r *reader) opClass(rows pgx.Rows) error {
	c := &model.OpClass{}
	if err := rows.Scan(&c.Name.Schema, &c.Name.Name, &c.Method, &c.Type, &c.Storage, &c.Default, &c.Family,
		&c.Members, &c.Comment); err != nil {
		return err
	}
	r.m.OpClasses[c.Key()] = c
	return nil
}

func (r *reader) opFamily(rows pgx.Rows) error {
	f := &model.OpFamily{}
	if err := rows.Scan(&f.Name.Schema, &f.Name.Name, &f.Method, &f.Implicit, &f.Members, &f.Comment); err != nil {
		return err
	}
	r.m.OpFamilies[f.Key()] = f
	return nil
}
