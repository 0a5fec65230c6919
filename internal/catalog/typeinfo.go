package catalog

import (
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// typeRefJoin joins the type whose oid is the expression (t0) and its
// element type (te, the type itself unless t0 is an array) with its schema
// (ten).
const typeRefJoin = `
  JOIN pg_type t0 ON t0.oid = %s
  JOIN pg_type te ON te.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN t0.typelem ELSE t0.oid END
  JOIN pg_namespace ten ON ten.oid = te.typnamespace`

// columnTypesQuery reads the type of every column of the relations code
// generation describes: tables, views, materialized views, foreign tables
// and composite types.
var columnTypesQuery = `
SELECT n.nspname, c.relname, a.attname, ten.nspname, te.typname, te.typtype::text,
       CASE WHEN te.oid <> t0.oid THEN greatest(a.attndims, 1) ELSE 0 END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped` +
	fmt.Sprintf(typeRefJoin, "a.atttypid") + `
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
ORDER BY 1, 2, a.attnum`

// domainTypesQuery reads the base type of every domain.
var domainTypesQuery = `
SELECT n.nspname, t.typname, ten.nspname, te.typname, te.typtype::text,
       CASE WHEN te.oid <> t0.oid THEN greatest(t.typndims, 1) ELSE 0 END
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace` +
	fmt.Sprintf(typeRefJoin, "t.typbasetype") + `
WHERE n.nspname = ANY($1) AND t.typtype = 'd'
ORDER BY 1, 2`

// signaturesQuery reads the argument and result types of functions and
// procedures, keyed as functionsQuery keys them; aggregates are left out.
var signaturesQuery = `
SELECT n.nspname, p.proname, ` + functionIdentityArgs + `,
       coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'),
       coalesce((SELECT array_agg(ten.nspname ORDER BY u.i) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(o, i)` +
	fmt.Sprintf(typeRefJoin, "u.o") + `), '{}'),
       coalesce((SELECT array_agg(te.typname::text ORDER BY u.i) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(o, i)` +
	fmt.Sprintf(typeRefJoin, "u.o") + `), '{}'),
       coalesce((SELECT array_agg(te.typtype::text ORDER BY u.i) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(o, i)` +
	fmt.Sprintf(typeRefJoin, "u.o") + `), '{}'),
       coalesce((SELECT array_agg(CASE WHEN te.oid <> t0.oid THEN 1 ELSE 0 END ORDER BY u.i) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(o, i)` +
	fmt.Sprintf(typeRefJoin, "u.o") + `), '{}'),
       p.pronargdefaults::int, ren.nspname, re.typname, re.typtype::text,
       CASE WHEN re.oid <> rt.oid THEN 1 ELSE 0 END, p.proretset
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type rt ON rt.oid = p.prorettype
JOIN pg_type re ON re.oid = CASE WHEN rt.typcategory = 'A' AND rt.typelem <> 0 THEN rt.typelem ELSE rt.oid END
JOIN pg_namespace ren ON ren.oid = re.typnamespace
WHERE n.nspname = ANY($1) AND p.prokind IN ('f', 'p')
ORDER BY 1, 2, 3`

func (r *reader) typeInfo() *model.TypeInfo {
	if r.m.TypeInfo == nil {
		r.m.TypeInfo = &model.TypeInfo{
			Columns:  map[model.ColumnRef]model.TypeRef{},
			Domains:  map[model.QName]model.TypeRef{},
			Routines: map[string]*model.Signature{},
		}
	}
	return r.m.TypeInfo
}

func (r *reader) columnType(rows pgx.Rows) error {
	var c model.ColumnRef
	var t model.TypeRef
	if err := rows.Scan(&c.Table.Schema, &c.Table.Name, &c.Column, &t.Schema, &t.Name, &t.Kind, &t.Dims); err != nil {
		return err
	}
	r.typeInfo().Columns[c] = t
	return nil
}

func (r *reader) domainType(rows pgx.Rows) error {
	var d model.QName
	var t model.TypeRef
	if err := rows.Scan(&d.Schema, &d.Name, &t.Schema, &t.Name, &t.Kind, &t.Dims); err != nil {
		return err
	}
	r.typeInfo().Domains[d] = t
	return nil
}

func (r *reader) signature(rows pgx.Rows) error {
	var (
		name                              model.QName
		args                              string
		names, modes, schemas, tns, kinds []string
		dims                              []int32
		s                                 model.Signature
	)
	if err := rows.Scan(&name.Schema, &name.Name, &args, &names, &modes, &schemas, &tns, &kinds, &dims,
		&s.Defaults, &s.Returns.Schema, &s.Returns.Name, &s.Returns.Kind, &s.Returns.Dims, &s.Set); err != nil {
		return err
	}
	key := model.FunctionKey(name, args)
	if r.m.Functions[key] == nil {
		return nil // an extension's or an internal routine
	}
	for i := range tns {
		a := model.Arg{Mode: model.ArgIn, Type: model.TypeRef{Schema: schemas[i], Name: tns[i], Kind: kinds[i], Dims: int(dims[i])}}
		if i < len(names) {
			a.Name = names[i]
		}
		if i < len(modes) {
			a.Mode = modes[i]
		}
		s.Args = append(s.Args, a)
	}
	r.typeInfo().Routines[key] = &s
	return nil
}

// queueTypeInfo queues the code generation queries; signatures attach to
// functions read before them.
func (r *reader) queueTypeInfo(queue func(name, sql string, scan func(pgx.Rows) error)) {
	queue("column types", columnTypesQuery, r.columnType)
	queue("domain base types", domainTypesQuery, r.domainType)
	queue("routine signatures", signaturesQuery, r.signature)
}
