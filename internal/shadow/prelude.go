package shadow

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// The prelude of a scratch database is what live has outside the managed
// schemas and managed objects use (model.Model.Outside, read by
// catalog.Outside): an extension in a schema of its own, a type or function
// of another schema. It is created first in every scratch database, the
// copy of live and the one the source loads into, so that both hold what
// live holds; it is never inspected, so never compared or dropped.

// preludeSteps are the statements that create outside in an empty
// database: the plan from an empty model to it.
func preludeSteps(outside *model.Model) ([]plan.Step, error) {
	if outside == nil {
		return nil, nil
	}
	p, err := plan.Build(model.New(), outside, plan.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot recreate the objects outside the managed schemas that they use (this is a pg-flux bug; please report it with the live schema): %w", err)
	}
	return p.Steps, nil
}

// runPrelude creates outside in the connected, empty scratch database.
func (s *Server) runPrelude(ctx context.Context, conn *pgx.Conn, outside *model.Model) error {
	steps, err := preludeSteps(outside)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if _, err := conn.Exec(ctx, st.SQL); err != nil {
			if ctx.Err() != nil {
				return err
			}
			msg := fmt.Sprintf("%s, which live has outside the managed schemas and managed objects use, cannot be made in a scratch database on %s", st.Summary, s.where)
			var pgErr *pgconn.PgError
			if st.Object.Kind == model.KindExtension && errors.As(err, &pgErr) && pgErr.Code == "58P01" {
				return fmt.Errorf("%s: %w\n%s", msg, err, s.extHint)
			}
			return fmt.Errorf("%s: %w", msg, err)
		}
	}
	// The steps may have changed session settings (check_function_bodies).
	if _, err := conn.Exec(ctx, resetSession); err != nil {
		return fmt.Errorf("scratch database on %s: %w", s.where, err)
	}
	return nil
}

// withoutPrelude is set without the statements that create a schema or an
// extension the prelude has already made (a source that declares
// `CREATE EXTENSION citext WITH SCHEMA extensions` while extensions is not
// managed): live has them, as the prelude has made them.
func withoutPrelude(set *source.Set, outside *model.Model) *source.Set {
	if outside == nil {
		return set
	}
	var kept []source.Statement
	dropped := false
	for _, st := range set.Statements {
		if preludeMade(st, outside) {
			dropped = true
			continue
		}
		kept = append(kept, st)
	}
	if !dropped {
		return set
	}
	c := *set
	c.Statements = kept
	return &c
}

// preludeMade reports whether st creates a schema or extension of outside
// (which may be nil: nothing).
func preludeMade(st source.Statement, outside *model.Model) bool {
	if outside == nil || st.Node != "CreateExtensionStmt" && st.Node != "CreateSchemaStmt" {
		return false
	}
	tree, err := pg_query.Parse(st.SQL)
	if err != nil || len(tree.Stmts) != 1 {
		return false
	}
	if x := tree.Stmts[0].Stmt.GetCreateExtensionStmt(); x != nil {
		e := outside.Extensions[x.Extname]
		if e == nil {
			return false
		}
		// Only the same extension in the same schema (when one is named).
		for _, o := range x.Options {
			if d := o.GetDefElem(); d != nil && d.Defname == "schema" {
				if s := d.Arg.GetString_(); s != nil && s.Sval != e.Schema {
					return false
				}
			}
		}
		return true
	}
	if x := tree.Stmts[0].Stmt.GetCreateSchemaStmt(); x != nil {
		return outside.Schemas[x.Schemaname] != nil && len(x.SchemaElts) == 0
	}
	return false
}

// hashOutside adds outside (its canonical form and its dependencies, which
// order its creation) to a key.
func hashOutside(h hash.Hash, outside *model.Model) {
	if outside == nil {
		return
	}
	h.Write([]byte("\x00outside\x00"))
	h.Write(outside.Canonical())
	h.Write([]byte(depsKey(outside)))
}

// depsKey is m.Deps in a stable textual form.
func depsKey(m *model.Model) string {
	ids := make([]string, 0, len(m.Deps))
	for id, deps := range m.Deps {
		parts := make([]string, 0, len(deps)+1)
		parts = append(parts, id.String())
		for _, d := range deps {
			parts = append(parts, d.String())
		}
		ids = append(ids, strings.Join(parts, "\x01"))
	}
	sort.Strings(ids)
	return strings.Join(ids, "\x00")
}
