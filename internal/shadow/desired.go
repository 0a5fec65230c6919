package shadow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Desired loads the source into a new scratch database, reads the managed
// schemas back with the catalog inspector and drops the database: the
// desired state, as PostgreSQL itself describes it. When live is not nil,
// a definition that differs from live's only in how PostgreSQL spells it
// (see adoptSpelling) takes live's text, so it is no difference. What live
// uses outside the managed schemas (live.Outside) is created first.
func Desired(ctx context.Context, srv *Server, set *source.Set, schemas []string, live *model.Model) (m *model.Model, err error) {
	var outside *model.Model
	if live != nil {
		outside = live.Outside
	}
	l, err := LoadDesired(ctx, srv, Parsed(set), schemas, outside)
	if err != nil {
		return nil, err
	}
	defer func() {
		if closeErr := l.Close(ctx); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	if err := l.AdoptSpelling(ctx, live, nil); err != nil {
		return nil, err
	}
	return l.Model, nil
}

// Loaded is the source loaded into a scratch database and inspected. The
// database stays until Close, for AdoptSpelling, which needs it and live's
// model: live can be inspected meanwhile.
type Loaded struct {
	Model   *model.Model
	schemas []string // the managed schemas it was read with
	scratch
}

// scratch is a scratch database held with a session on it.
type scratch struct {
	db   *Database
	conn *pgx.Conn
}

// close closes the session and drops the database; a second call does
// nothing.
func (s *scratch) close(ctx context.Context) error {
	s.leave(ctx)
	if s.db == nil {
		return nil
	}
	err := s.db.Drop(ctx)
	s.db = nil
	return err
}

// leave hands the session to the database, which ends it before its drop
// (Database.closeSession); without a database it is closed here.
func (s *scratch) leave(ctx context.Context) {
	if s.conn == nil {
		return
	}
	if s.db != nil {
		s.db.leave(s.conn)
	} else {
		s.conn.Close(context.WithoutCancel(ctx))
	}
	s.conn = nil
}

// release is close with the drop left to the background (Database.dropLater):
// nothing waits for it.
func (s *scratch) release(ctx context.Context) {
	s.leave(ctx)
	if s.db != nil {
		s.db.dropLater(ctx)
		s.db = nil
	}
}

// LoadDesired is Desired's first half: load the source and inspect it.
// outside (live's model.Model.Outside, may be nil) is created before the
// source, as live has it. The source loads as it is parsed (LoadParsing);
// one that does not parse is the error. Close the result.
func LoadDesired(ctx context.Context, srv *Server, src Parsing, schemas []string, outside *model.Model) (l *Loaded, err error) {
	db, err := srv.CreateDatabase(ctx)
	if err != nil {
		return nil, err
	}
	loaded := &Loaded{schemas: schemas, scratch: scratch{db: db}}
	l = loaded
	defer func() {
		// A failing return has already set l to nil: close what was made.
		if err != nil {
			loaded.Close(ctx)
			l = nil
		}
	}()
	conn, err := db.Connect(ctx)
	if err != nil {
		return nil, err
	}
	// Where the load, having committed part of the source, would roll
	// back, it starts over on a new database.
	fresh := func(ctx context.Context) (*pgx.Conn, error) {
		conn.Close(context.WithoutCancel(ctx))
		conn = nil
		db, err := srv.CreateDatabase(ctx)
		if err != nil {
			return nil, err
		}
		loaded.db.dropLater(ctx)
		loaded.db = db
		if conn, err = db.Connect(ctx); err != nil {
			return nil, err
		}
		return conn, srv.runPrelude(ctx, conn, outside)
	}
	var set *source.Set
	err = srv.runPrelude(ctx, conn, outside)
	if err == nil {
		set, err = LoadParsing(ctx, conn, src, outside, srv.LoadOptions(), fresh)
	}
	if err != nil {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	db = loaded.db
	// A fresh session, so nothing the source set lingers in the inspection.
	if l.conn, err = freshSession(ctx, db, conn); err != nil {
		return nil, err
	}
	// With TypeInfo: the desired model is what gen describes, and the
	// cache keeps it for the next gen. On a large schema a second session
	// reads half of the catalog on the other core: live is read by then,
	// and a copy of it made ahead is a file copy.
	opts := db.inspectOptions(schemas, set.Tables() >= catalog.ParallelFrom)
	opts.TypeInfo = true
	l.Model, err = catalog.Inspect(ctx, l.conn, opts)
	if err != nil {
		return nil, fmt.Errorf("inspect the shadow database: %w", err)
	}
	return l, nil
}

// AdoptSpelling gives the model live's text where the two differ only in
// spelling (see adoptSpelling); verdicts, when not nil, receives each
// comparison made, for the cache. live may be nil.
func (l *Loaded) AdoptSpelling(ctx context.Context, live *model.Model, verdicts map[string]bool) error {
	if live == nil {
		return nil
	}
	if _, _, err := adoptSpellingWith(ctx, l.conn, live, l.Model, verdicts); err != nil {
		return fmt.Errorf("shadow database: %w", err)
	}
	return nil
}

// freshSession returns conn in the state of a new session — settings, role,
// prepared statements, temporary objects and locks all discarded — or, when
// that fails, a new connection to db (conn is then closed). Unlike a new
// connection, the session keeps what its backend has cached of the system
// catalogs: the inspection that follows does not plan its queries cold,
// which costs about as much as running them on a small schema.
func freshSession(ctx context.Context, db *Database, conn *pgx.Conn) (*pgx.Conn, error) {
	if err := conn.DeallocateAll(ctx); err == nil {
		if _, err := conn.Exec(ctx, "DISCARD ALL"); err == nil {
			return conn, nil
		}
	}
	conn.Close(context.WithoutCancel(ctx))
	return db.Connect(ctx)
}

// Close drops the scratch database.
func (l *Loaded) Close(ctx context.Context) error { return l.close(ctx) }

// Executor runs plan steps on a connection, honouring each step's
// isolation (migration.Execute).
type Executor func(ctx context.Context, conn *pgx.Conn, steps []plan.Step) error

// maxRoleRetries bounds how many roles Validate creates on an embedded
// cluster for a live schema that references them.
const maxRoleRetries = 50

// Validate proves a plan before anyone runs it: it makes a scratch copy of
// the live schema (CopyOfLive), runs the plan's steps there with exec,
// inspects the result and requires it to equal desired. It returns the resulting model (whose hash
// is a migration's result hash). A plan that fails or does not converge is
// reported as a pg-flux bug.
func Validate(ctx context.Context, srv *Server, live *model.Model, p *plan.Plan, desired *model.Model, schemas []string, exec Executor) (*model.Model, error) {
	return ValidateAfter(ctx, srv, live, nil, p, desired, schemas, exec)
}

// ValidateAfter is Validate for a plan made on top of pending migration
// files: they are replayed on the copy of live before the plan runs.
func ValidateAfter(ctx context.Context, srv *Server, live *model.Model, pending []Pending, p *plan.Plan, desired *model.Model, schemas []string, exec Executor) (*model.Model, error) {
	result, proof, err := prove(ctx, srv, live, pending, p, desired, schemas, exec, resultModel)
	if err != nil {
		return nil, err
	}
	proof.release(ctx) // the server's Close waits for the drop
	return result, nil
}

// prove is ValidateAfter keeping the scratch database: the Proof, to be
// closed by the caller, giving back want.
func prove(ctx context.Context, srv *Server, live *model.Model, pending []Pending, p *plan.Plan, desired *model.Model, schemas []string, exec Executor, want outcome) (*model.Model, *Proof, error) {
	created := map[string]bool{}
	for {
		result, proof, err := validateOnce(ctx, srv, live, pending, p, desired, schemas, exec, want)
		// On an embedded cluster, roles the live schema references are
		// created (NOLOGIN) and the validation starts over.
		var pgErr *pgconn.PgError
		if err != nil && srv.Embedded() && errors.As(err, &pgErr) && pgErr.Code == "42704" && len(created) < maxRoleRetries {
			if m := missingRole.FindStringSubmatch(pgErr.Message); m != nil && !created[m[1]] {
				created[m[1]] = true
				if rerr := srv.createRole(ctx, m[1]); rerr != nil {
					return nil, nil, rerr
				}
				continue
			}
		}
		return result, proof, err
	}
}

// validateOnce makes the copy of live after the pending files and proves
// the plan on it (Proof.run). On success the copy is kept, as the Proof.
func validateOnce(ctx context.Context, srv *Server, live *model.Model, pending []Pending, p *plan.Plan, desired *model.Model, schemas []string, exec Executor, want outcome) (result *model.Model, _ *Proof, err error) {
	db, err := srv.copyAfter(ctx, live, pending, exec)
	var re *ReplayError
	if errors.As(err, &re) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("validate the plan: %w", err)
	}
	proof := &Proof{scratch: scratch{db: db}, live: live, ran: append(append([]Pending{}, pending...), Pending{Steps: p.Steps})}
	defer func() {
		if err != nil {
			proof.Close(ctx)
		}
	}()
	// A copy made ahead comes with its session and stamps, read while the
	// source loaded; after pending files they are out of date (run reads
	// them again).
	if ready := db.takeSession(); ready != nil && len(pending) == 0 {
		proof.conn, proof.stamps, proof.readAhead = ready.conn, ready.stamps, true
	} else {
		if ready != nil {
			ready.conn.Close(context.WithoutCancel(ctx))
		}
		if proof.conn, err = db.Connect(ctx); err != nil {
			return nil, nil, err
		}
	}
	if result, err = proof.run(ctx, p, desired, schemas, exec, want); err != nil {
		return nil, nil, err
	}
	return result, proof, nil
}

// NotConvergedError says that a plan, run on a copy of the live schema, did
// not produce the desired state.
type NotConvergedError struct {
	// Changes are what still differs, from the result to desired.
	Changes []diff.Change
}

func (e *NotConvergedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "this is a pg-flux bug: the plan does not converge; please report it with the source and the plan.\n"+
		"After running it on a copy of the live schema, %d difference(s) from the desired schema remain:", len(e.Changes))
	for _, c := range e.Changes {
		b.WriteString("\n  " + c.String())
	}
	return b.String()
}

// PlanFailedError says that a plan's step failed on a copy of the live
// schema.
type PlanFailedError struct{ Err error }

func (e *PlanFailedError) Error() string {
	return "validate the plan: the plan fails on a copy of the live schema (this is a pg-flux bug; please report it with the source and the plan): " + e.Err.Error()
}

func (e *PlanFailedError) Unwrap() error { return e.Err }

// createRole creates a NOLOGIN role on the server (embedded clusters only).
func (s *Server) createRole(ctx context.Context, name string) error {
	return s.withAdmin(ctx, func(conn *pgx.Conn) error { return createRole(ctx, conn, name) })
}
