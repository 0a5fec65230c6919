package shadow

import (
	"context"
	"fmt"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// CopyOfLive returns a new scratch database that holds the live schema.
// Every proof made on "a copy of live" (plan validation, the replay of
// pending migration files) starts here, so how the copy is made is decided
// in one place: today by running the steps of plan.Build from an empty
// model to live with exec. Drop the database when done.
func (s *Server) CopyOfLive(ctx context.Context, live *model.Model, exec Executor) (db *Database, err error) {
	base, err := plan.Build(model.New(), live, plan.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot recreate the live schema (this is a pg-flux bug; please report it with the live schema): %w", err)
	}
	scratch, err := s.CreateDatabase(ctx)
	if err != nil {
		return nil, err
	}
	db = scratch
	defer func() {
		// A failing return has already set db to nil: drop what was made.
		if err != nil {
			scratch.Drop(context.WithoutCancel(ctx))
			db = nil
		}
	}()
	conn, err := db.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := exec(ctx, conn, base.Steps); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("recreating the live schema in a scratch database failed (this is a pg-flux bug; please report it with the live schema): %w", err)
	}
	return db, nil
}
