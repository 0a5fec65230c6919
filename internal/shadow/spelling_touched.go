package shadow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// A definition that PostgreSQL re-derives while a plan runs (an index or
// CHECK rebuilt by ALTER COLUMN TYPE, a view re-created) is printed anew on
// the real live database too, so after the plan it no longer has live's
// earlier spelling. definitionStamps records, per object, its OID and text
// on the scratch copy; comparing the stamps taken before and after the plan
// tells which objects kept live's text.

// stampKey names a spelled definition: kind ('i' index, 'c' CHECK of a
// table or domain, 'v' view or materialized view), schema, relation or
// domain, and constraint name.
type stampKey struct {
	kind                byte
	schema, owner, name string
}

type stamp struct {
	oid uint32
	def string
}

const stampsQuery = `
SELECT 'i', n.nspname, c.relname, '', c.oid, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
UNION ALL
SELECT 'c', n.nspname, coalesce(r.relname, t.typname), con.conname, con.oid, pg_get_constraintdef(con.oid)
  FROM pg_constraint con
  LEFT JOIN pg_class r ON r.oid = con.conrelid
  LEFT JOIN pg_type t ON t.oid = con.contypid
  JOIN pg_namespace n ON n.oid = coalesce(r.relnamespace, t.typnamespace)
 WHERE con.contype = 'c' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
UNION ALL
SELECT 'v', n.nspname, c.relname, '', c.oid, pg_get_viewdef(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`

// definitionStamps reads the stamps of every spelled definition.
func definitionStamps(ctx context.Context, conn *pgx.Conn) (map[stampKey]stamp, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("read definitions: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SET LOCAL search_path = pg_catalog"); err != nil {
		return nil, fmt.Errorf("read definitions: %w", err)
	}
	rows, err := tx.Query(ctx, stampsQuery)
	if err != nil {
		return nil, fmt.Errorf("read definitions: %w", err)
	}
	out := map[stampKey]stamp{}
	for rows.Next() {
		var kind string
		var k stampKey
		var s stamp
		if err := rows.Scan(&kind, &k.schema, &k.owner, &k.name, &s.oid, &s.def); err != nil {
			return nil, fmt.Errorf("read definitions: %w", err)
		}
		k.kind = kind[0]
		out[k] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read definitions: %w", err)
	}
	return out, nil
}

// untouched is ref without the definitions whose stamp changed from before
// to after: what spelling adoption may still give live's text. ref itself
// is not modified; the maps that lose entries are copies.
func untouched(ref *model.Model, before, after map[stampKey]stamp) *model.Model {
	changed := func(k stampKey) bool {
		b, ok := before[k]
		return !ok || after[k] != b
	}
	out := *ref
	out.Indexes = make(map[model.QName]*model.Index, len(ref.Indexes))
	for name, ix := range ref.Indexes {
		if !changed(stampKey{'i', name.Schema, name.Name, ""}) {
			out.Indexes[name] = ix
		}
	}
	out.Views = make(map[model.QName]*model.View, len(ref.Views))
	for name, v := range ref.Views {
		if !changed(stampKey{'v', name.Schema, name.Name, ""}) {
			out.Views[name] = v
		}
	}
	out.MatViews = make(map[model.QName]*model.MatView, len(ref.MatViews))
	for name, v := range ref.MatViews {
		if !changed(stampKey{'v', name.Schema, name.Name, ""}) {
			out.MatViews[name] = v
		}
	}
	checks := func(owner model.QName, cs map[string]*model.Constraint) map[string]*model.Constraint {
		kept := make(map[string]*model.Constraint, len(cs))
		for name, c := range cs {
			if c.Type != model.Check || !changed(stampKey{'c', owner.Schema, owner.Name, name}) {
				kept[name] = c
			}
		}
		return kept
	}
	out.Tables = make(map[model.QName]*model.Table, len(ref.Tables))
	for name, t := range ref.Tables {
		c := *t
		c.Constraints = checks(name, t.Constraints)
		out.Tables[name] = &c
	}
	out.Domains = make(map[model.QName]*model.Domain, len(ref.Domains))
	for name, d := range ref.Domains {
		c := *d
		c.Constraints = checks(name, d.Constraints)
		out.Domains[name] = &c
	}
	return &out
}
