package shadow

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// A copy of live is made by recreating the live schema (buildCopy), which
// costs about as much as loading the source. When the command has just
// loaded the source, and live has no template yet (a first run, a plan
// after an apply), most of that work is already done: the source's
// database differs from live only by the change being planned. Undoing
// that change there, with the plan from desired to live, turns it into a
// copy of live. (Below sourceCopyBelow tables that is done even when live
// has a template.) It is accepted as one only when it reads back as live,
// to the model hash, the dependencies and the column order, and holds
// nothing else: no rows and no objects outside the managed schemas.
// Otherwise the copy is built as before.

// errNotLive says that the source's database, the change undone, is not
// a copy of live; why is in its text.
var errNotLive = errors.New("the source's database does not read back as live")

// offer hands the loaded source's database, with its session, to the
// server, for a copy of live to be made from (fromOffer) if one is asked
// for. Only one is kept: another, or one offered once a copy of live came
// from a template, is released.
func (s *Server) offer(ctx context.Context, l *Loaded) {
	s.mu.Lock()
	keep := !s.closed && s.offered == nil && !s.templated
	if keep {
		s.offered = l
	}
	s.mu.Unlock()
	if !keep {
		l.release(ctx)
	}
}

// takeOffer returns the offered database, once; nil when there is none.
func (s *Server) takeOffer() *Loaded {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.offered
	s.offered = nil
	return l
}

// fromOffer makes the offered database a copy of live (liveFromDesired),
// if there is one and it can be; else it is dropped in the background.
// tpl is live's templateName, "" when not yet computed.
func (s *Server) fromOffer(ctx context.Context, live *model.Model, tpl string, exec Executor) (*Database, bool) {
	l := s.takeOffer()
	if l == nil {
		return nil, false
	}
	db, err := s.liveFromDesired(ctx, l, live, tpl, exec)
	if err != nil {
		l.release(ctx)
		return nil, false
	}
	return db, true
}

// liveFromDesired runs the plan from l's model (desired, as loaded and
// with live's spellings adopted) to live on l's database and returns the
// database if it then holds live and nothing else. The database is the
// caller's then, with the session that read it as its first Connect's.
func (s *Server) liveFromDesired(ctx context.Context, l *Loaded, live *model.Model, tpl string, exec Executor) (*Database, error) {
	if live.Outside != nil || l.Model.Outside != nil {
		// What the source makes outside the managed schemas besides
		// live's prelude cannot be told apart from it here.
		return nil, fmt.Errorf("%w: live uses objects outside the managed schemas", errNotLive)
	}
	back, err := plan.Build(l.Model, live, plan.Options{})
	if err != nil {
		return nil, err
	}
	if err := runBatched(ctx, l.conn, back.Steps, exec); err != nil {
		return nil, err
	}
	if l.conn, err = freshSession(ctx, l.db, l.conn); err != nil {
		return nil, err
	}
	if err := onlyManaged(ctx, l.conn, l.schemas); err != nil {
		return nil, err
	}
	got, err := catalog.Inspect(ctx, l.conn, l.db.inspectOptions(l.schemas, len(live.Tables) >= catalog.ParallelFrom))
	if err != nil {
		return nil, err
	}
	if _, err := adoptSpelling(ctx, l.conn, live, got); err != nil {
		return nil, err
	}
	// The same template name is the same model hash and dependencies.
	got.Outside = live.Outside
	// Equal models (columns in the same order) have the same name, and
	// comparing them costs a third of got's hash on 1,000 tables (20
	// against 60-70 ms), about the same on 200. The hash decides when
	// they are not equal: they may differ only in what it leaves out.
	if !reflect.DeepEqual(got, live) {
		if tpl == "" {
			tpl = s.templateOf(live, "")
		}
		if templateName(got, "", s.buildID, s.owners) != tpl || !sameColumnOrder(got, live) {
			return nil, fmt.Errorf("%w: the models differ", errNotLive)
		}
	}
	db := l.db
	db.opened, l.conn, l.db = l.conn, nil, nil
	s.fromSource.Add(1)
	return db, nil
}

// onlyManaged fails unless the database holds no rows in its tables and
// materialized views, and no relation, routine or type outside the
// managed schemas: a copy of live is its schema alone, as buildCopy makes
// it. (A table that ever held rows has pages; one that never did has
// none.)
func onlyManaged(ctx context.Context, conn *pgx.Conn, schemas []string) error {
	var rows, outside bool
	err := conn.QueryRow(ctx, `
WITH user_ns AS (
	SELECT oid, nspname = ANY($1) AS managed FROM pg_catalog.pg_namespace
	WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%')
SELECT
	EXISTS (SELECT FROM pg_catalog.pg_class c JOIN user_ns n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'm') AND pg_catalog.pg_relation_size(c.oid) > 0),
	EXISTS (SELECT FROM pg_catalog.pg_class c JOIN user_ns n ON n.oid = c.relnamespace WHERE NOT n.managed)
	OR EXISTS (SELECT FROM pg_catalog.pg_proc p JOIN user_ns n ON n.oid = p.pronamespace WHERE NOT n.managed)
	OR EXISTS (SELECT FROM pg_catalog.pg_type t JOIN user_ns n ON n.oid = t.typnamespace WHERE NOT n.managed)`,
		schemas).Scan(&rows, &outside)
	switch {
	case err != nil:
		return err
	case rows:
		return fmt.Errorf("%w: a table holds rows", errNotLive)
	case outside:
		return fmt.Errorf("%w: it has objects outside the managed schemas", errNotLive)
	}
	return nil
}

// sameColumnOrder says whether every table of b has a's columns in a's
// order. The model hash leaves the order out (PostgreSQL cannot change
// it), but a column live has and the source dropped comes back last.
func sameColumnOrder(a, b *model.Model) bool {
	for name, t := range b.Tables {
		u := a.Tables[name]
		if u == nil || len(u.Columns) != len(t.Columns) {
			return false
		}
		for i, c := range t.Columns {
			if u.Columns[i].Name != c.Name {
				return false
			}
		}
	}
	return true
}
