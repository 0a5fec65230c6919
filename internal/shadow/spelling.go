package shadow

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
)

// PostgreSQL's deparsers are not always idempotent: reloading the text of
// pg_get_constraintdef or pg_get_viewdef can build a different parse tree,
// which deparses differently while meaning the same. Two seen in real
// schemas: "col IN ('a', 'b')" on a varchar column deparses as
// "(ARRAY['a'::character varying, …])::text[]", and reloading that pushes
// the cast into each element ("ARRAY[('a'::character varying)::text, …]");
// an unnamed NULL in a later UNION arm deparses as "NULL::integer", which
// reloads named after the cast and deparses as "NULL::integer AS int4". So
// a database created from a dump (or from pg-flux's own plan) spells such
// definitions differently from the database it came from. The second
// deparse is a fixed point, so the exact test of "same meaning" is to
// reload both texts in one database and compare PostgreSQL's deparse of
// each; no SQL text is rewritten by hand.

// spellingName names the throwaway objects the comparison creates; they
// never outlive the transaction, which is rolled back.
const spellingName = "pgflux_spelling"

// adoptSpelling gives m ref's text for every CHECK constraint, index, view
// and materialized view whose definition differs from ref's only in
// spelling: both texts, reloaded on conn (a scratch database holding m's
// state), deparse the same. Everything it creates is rolled back. The
// returned function gives m its own texts back.
func adoptSpelling(ctx context.Context, conn *pgx.Conn, ref, m *model.Model) (restore func(), err error) {
	restore, _, err = adoptSpellingWith(ctx, conn, ref, m, nil)
	return restore, err
}

// adoptSpellingWith is adoptSpelling with known verdicts: verdicts maps a
// comparison (verdictKey) to whether the two texts mean the same. Known
// ones are not asked again, new ones are added when verdicts is not nil.
// With a nil conn only known verdicts are used, and complete is false when
// one was missing (m is then partly adopted and must be thrown away).
// A verdict depends only on the two texts and the database's state, which
// is m's: the desired-model cache keeps them with the model.
func adoptSpellingWith(ctx context.Context, conn *pgx.Conn, ref, m *model.Model, verdicts map[string]bool) (restore func(), complete bool, err error) {
	var adopted []probe
	restore = func() {
		for _, p := range adopted {
			*p.target = p.was
		}
	}
	probes := spellingProbes(ref, m)
	var tx pgx.Tx
	for _, p := range probes {
		key := verdictKey(p)
		same, known := verdicts[key]
		if !known {
			if conn == nil {
				return restore, false, nil
			}
			if tx == nil {
				if tx, err = conn.Begin(ctx); err != nil {
					return restore, false, fmt.Errorf("compare definitions: %w", err)
				}
				defer tx.Rollback(context.WithoutCancel(ctx))
				// The same search path as the catalog inspector: the deparsed
				// texts qualify every name outside pg_catalog, and so do the
				// reloaded ones.
				if _, err := tx.Exec(ctx, "SET LOCAL search_path = pg_catalog"); err != nil {
					return restore, false, fmt.Errorf("compare definitions: %w", err)
				}
			}
			a, err := reparse(ctx, tx, p, p.ref)
			if err != nil {
				return restore, false, err
			}
			b, err := reparse(ctx, tx, p, p.own)
			if err != nil {
				return restore, false, err
			}
			same = a != "" && a == b
			if verdicts != nil {
				verdicts[key] = same
			}
		}
		if same {
			p.was = *p.target
			*p.target = p.value
			adopted = append(adopted, p)
		}
	}
	return restore, true, nil
}

// verdictKey identifies one comparison: the object it is made on and the
// two texts.
func verdictKey(p probe) string {
	return p.create + "\x00" + p.arg + "\x00" + p.ref + "\x00" + p.own
}

// probe is one definition that differs between ref and m.
type probe struct {
	create   string              // fmt format of the DDL creating the throwaway object from a definition
	deparse  string              // query returning the throwaway object's definition
	arg      string              // the query's $1
	norm     func(string) string // the text as the differ compares it
	ref, own string              // the two definitions
	target   *string             // m's definition
	value    string              // what it becomes when both mean the same: ref's text
	was      string              // its text before, once adopted
}

func spellingProbes(ref, m *model.Model) []probe {
	var out []probe
	checks := func(owner, create, deparse string, rc, mc map[string]*model.Constraint) {
		for name, c := range mc {
			r := rc[name]
			if r == nil || c.Type != model.Check || r.Type != model.Check {
				continue
			}
			rd, md := diff.ConstraintDefinition(r.Definition), diff.ConstraintDefinition(c.Definition)
			if rd == md {
				continue
			}
			keep := c.Definition[len(md):] // " NOT VALID" is state, kept as m has it
			out = append(out, probe{create: create, deparse: deparse, arg: owner, norm: diff.ConstraintDefinition, ref: rd, own: md,
				target: &c.Definition, value: rd + keep})
		}
	}
	for name, t := range m.Tables {
		if rt := ref.Tables[name]; rt != nil {
			checks(name.String(), "ALTER TABLE "+name.String()+" ADD CONSTRAINT "+spellingName+" %s",
				"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass AND conname = '"+spellingName+"'",
				rt.Constraints, t.Constraints)
		}
	}
	for name, d := range m.Domains {
		if rd := ref.Domains[name]; rd != nil {
			checks(name.String(), "ALTER DOMAIN "+name.String()+" ADD CONSTRAINT "+spellingName+" %s",
				"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = $1::regtype AND conname = '"+spellingName+"'",
				rd.Constraints, d.Constraints)
		}
	}
	// A materialized view's query deparses as a view's does: one temporary
	// view serves both.
	view := func(rdef string, def *string) {
		rq, mq := diff.ViewQuery(rdef), diff.ViewQuery(*def)
		if rq == mq {
			return
		}
		out = append(out, probe{create: "CREATE TEMPORARY VIEW " + spellingName + " AS %s",
			deparse: "SELECT pg_get_viewdef($1::regclass, true)", arg: "pg_temp." + spellingName, norm: diff.ViewQuery,
			ref: rq, own: mq, target: def, value: rdef})
	}
	for name, v := range m.Views {
		if r := ref.Views[name]; r != nil {
			view(r.Definition, &v.Definition)
		}
	}
	for name, v := range m.MatViews {
		if r := ref.MatViews[name]; r != nil {
			view(r.Definition, &v.Definition)
		}
	}
	return append(out, indexProbes(ref, m)...)
}

// reparse creates the throwaway object of p from def and returns
// PostgreSQL's deparse of it, normalised as the differ compares it; "" when
// def does not load here (it then means something this database cannot
// hold, and stays a difference).
func reparse(ctx context.Context, tx pgx.Tx, p probe, def string) (string, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return "", fmt.Errorf("compare definitions: %w", err)
	}
	defer sp.Rollback(context.WithoutCancel(ctx))
	if _, err := sp.Exec(ctx, fmt.Sprintf(p.create, def)); err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", nil
	}
	var out string
	if err := sp.QueryRow(ctx, p.deparse, p.arg).Scan(&out); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil
		}
		return "", fmt.Errorf("compare definitions: %w", err)
	}
	return p.norm(out), nil
}
