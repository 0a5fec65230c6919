package shadow

import (
	"context"
	"errors"
	"fmt"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Pending is a migration file not yet (completely) applied to live: the
// steps of it that still have to run, in order. For a partly applied file
// they begin with the session settings of its committed steps
// (migration.PendingFile.Remaining): each file replays in a new session.
type Pending struct {
	Name  string
	Steps []plan.Step
}

// ReplayError says which pending file no longer runs on a copy of live.
type ReplayError struct {
	File string
	Err  error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("pending migration %s no longer replays on the live schema: %v", e.File, e.Err)
}

func (e *ReplayError) Unwrap() error { return e.Err }

// Replay runs the pending files, in order, on a scratch copy of live
// (CopyOfLive) and returns the state they produce, as the catalog inspector
// reads it. Definitions the files leave untouched keep live's spelling. A
// file that fails is a *ReplayError naming it.
func Replay(ctx context.Context, srv *Server, live *model.Model, pending []Pending, schemas []string, exec Executor) (m *model.Model, err error) {
	db, err := srv.copyAfter(ctx, live, pending, exec)
	var re *ReplayError
	if errors.As(err, &re) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("replay the pending migrations: %w", err)
	}
	defer func() {
		if dropErr := db.Drop(ctx); dropErr != nil && err == nil {
			err = dropErr
		}
	}()
	conn, err := db.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	m, err = catalog.Inspect(ctx, conn, catalog.Options{Schemas: schemas, Owners: srv.owners})
	if err != nil {
		return nil, fmt.Errorf("replay the pending migrations: inspect the scratch database: %w", err)
	}
	// What live uses outside the managed schemas is still there.
	m.Outside = live.Outside
	if _, err := adoptSpelling(ctx, conn, live, m); err != nil {
		return nil, fmt.Errorf("replay the pending migrations: %w", err)
	}
	// The copy has no rows: the tables live has keep live's statistics, on
	// which the rewrites and hazards of a plan on top of the files depend.
	for name, st := range live.Stats {
		if _, ok := m.Tables[name]; ok {
			m.Stats[name] = st
		}
	}
	return m, nil
}

// copyAfter is a scratch copy of live (CopyOfLive) with the pending files
// replayed on it: where a plan on top of them starts. A file that fails is
// a *ReplayError naming it.
func (s *Server) copyAfter(ctx context.Context, live *model.Model, pending []Pending, exec Executor) (*Database, error) {
	if len(pending) > 0 && s.Shared() {
		if db, ok := s.unpark(ctx, parkedName(s.templateOf(live, ""), pending)); ok {
			s.stopAhead()
			return db, nil
		}
	}
	db, err := s.CopyOfLive(ctx, live, exec)
	if err != nil {
		return nil, err
	}
	if err := replayOn(ctx, db, pending, exec); err != nil {
		db.Drop(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

// replayOn runs each pending file's steps on db, each file in a session of
// its own (as apply runs them).
func replayOn(ctx context.Context, db *Database, pending []Pending, exec Executor) error {
	for _, p := range pending {
		conn, err := db.Connect(ctx)
		if err != nil {
			return err
		}
		err = exec(ctx, conn, p.Steps)
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return &ReplayError{File: p.Name, Err: err}
		}
	}
	return nil
}
