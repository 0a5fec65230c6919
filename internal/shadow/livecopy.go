package shadow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Template databases of live, on a shared server: templatePrefix and a
// hash of the live model; one being built has templateBuildPrefix and its
// builder's PID (see scratchName) until it is renamed into place.
const (
	templatePrefix      = "pgflux_tpl_"
	templateBuildPrefix = "pgflux_tplbuild_"
	// maxTemplates bounds how many live states a shared server keeps.
	maxTemplates = 8
)

// CopyOfLive returns a new scratch database that holds the live schema.
// Every proof made on "a copy of live" (plan validation, the replay of
// pending migration files) starts here, so how the copy is made is decided
// in one place. The schema is created by running the steps of plan.Build
// from an empty model to live (runBatched: exec runs what fails), or, when
// the command offered the database it loaded the source into, by undoing
// the change there (liveFromDesired). On a shared server, from the second
// copy of one live state on (seenBefore), that is done once: the result is
// kept as a template database named by the hash of the live model (and of
// the build that made it), and each copy is CREATE DATABASE … TEMPLATE, a
// file copy of the same state. Drop the database when done.
func (s *Server) CopyOfLive(ctx context.Context, live *model.Model, exec Executor) (*Database, error) {
	if db, ok := s.takeAhead(live); ok {
		return db, nil
	}
	return s.copyOfLive(ctx, live, "", exec, nil)
}

// aheadCopy is a copy of live started by CopyAhead.
type aheadCopy struct {
	live   *model.Model
	cancel context.CancelFunc
	done   chan struct{}
	db     *Database
	err    error
}

// CopyAhead starts making the copy of live that CopyOfLive will be asked
// for, so that it overlaps other work (the source loading meanwhile). A
// copy nobody asks for is dropped by Close. Live's template is copied at
// once; without one, the copy waits until settled is closed, once the
// desired model is known: the source's database, when the command loaded
// it, may become the copy (see liveFromDesired). liveHash is live.Hash(),
// or "" when the caller does not have it.
func (s *Server) CopyAhead(ctx context.Context, live *model.Model, liveHash string, exec Executor, settled <-chan struct{}) {
	ctx, cancel := context.WithCancel(ctx)
	a := &aheadCopy{live: live, cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed || s.ahead != nil {
		s.mu.Unlock()
		cancel()
		return
	}
	s.ahead = a
	s.spareWG.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.spareWG.Done()
		defer close(a.done)
		a.db, a.err = s.copyOfLive(ctx, live, liveHash, exec, settled)
		if a.err == nil {
			a.db.session = openReady(ctx, a.db)
		}
	}()
}

// readySession is a session on a copy of live opened ahead of need, with
// the copy's definition stamps read on it: what a proof starts with
// (validateOnce), made while other work runs. On a large schema the first
// read of a new session costs hundreds of milliseconds.
type readySession struct {
	conn   *pgx.Conn
	stamps map[stampKey]stamp
}

// openReady opens db's ready session; nil when that fails (the proof then
// opens its own).
func openReady(ctx context.Context, db *Database) *readySession {
	conn, err := db.Connect(ctx)
	if err != nil {
		return nil
	}
	stamps, err := definitionStamps(ctx, conn)
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil
	}
	return &readySession{conn: conn, stamps: stamps}
}

// takeSession returns the session opened on d ahead of need, once; nil
// when there is none.
func (d *Database) takeSession() *readySession {
	r := d.session
	d.session = nil
	return r
}

// closeSession ends the sessions on d that nobody else will close: those
// opened ahead (session, opened) if nobody took them, the one handed over
// by leave, and the kept second inspecting session.
func (d *Database) closeSession(ctx context.Context) {
	var ahead *pgx.Conn
	if r := d.takeSession(); r != nil {
		ahead = r.conn
	}
	endSessions(ctx, ahead, d.opened, d.leaving, d.second)
	d.opened, d.leaving, d.second = nil, nil, nil
}

// leave hands conn, a session on d, to closeSession, which ends it before
// the database is dropped.
func (d *Database) leave(conn *pgx.Conn) {
	if d.leaving != nil {
		endSessions(context.Background(), d.leaving)
	}
	d.leaving = conn
}

// takeAhead returns the copy CopyAhead made of this very live model, once.
// A failed one is not returned: CopyOfLive then makes it again and reports
// its error to the caller.
func (s *Server) takeAhead(live *model.Model) (*Database, bool) {
	s.mu.Lock()
	a := s.ahead
	if a == nil || a.live != live {
		s.mu.Unlock()
		return nil, false
	}
	s.ahead = nil
	s.mu.Unlock()
	<-a.done
	if a.err != nil {
		if a.db != nil {
			a.db.Drop(context.Background())
		}
		return nil, false
	}
	return a.db, true
}

// CopiesOfLive says how many copies of live the server has made or
// started (CopyOfLive, CopyAhead), for --verbose: each costs about as much
// as creating the live schema.
func (s *Server) CopiesOfLive() int { return int(s.copies.Load()) }

// CopiesFromSource says how many of those were the source's database made
// into a copy of live (liveFromDesired), for --verbose.
func (s *Server) CopiesFromSource() int { return int(s.fromSource.Load()) }

// copyOfLive makes a copy of live: from its template, else from the
// source's database the command offered (fromOffer), else by recreating
// live (buildCopy). With settled, the offer is waited for until it is
// closed.
func (s *Server) copyOfLive(ctx context.Context, live *model.Model, liveHash string, exec Executor, settled <-chan struct{}) (*Database, error) {
	s.copies.Add(1)
	tpl := ""
	fromOffer := func() (*Database, bool) {
		if settled != nil {
			select {
			case <-settled:
			case <-ctx.Done():
				return nil, false
			}
		}
		return s.fromOffer(ctx, live, tpl, exec)
	}
	if s.cluster == nil || !s.cluster.Shared() || s.buildID == "" {
		if db, ok := fromOffer(); ok {
			return db, nil
		}
		return s.buildCopy(ctx, live, exec, DatabasePrefix)
	}
	tpl = s.templateOf(live, liveHash)
	if settled != nil && len(live.Tables) < sourceCopyBelow && s.exists(ctx, tpl) {
		// A small live with its template: the source's database, the
		// change undone, is the copy, with a warm session (see
		// sourceCopyBelow).
		if db, ok := fromOffer(); ok {
			return db, nil
		}
	}
	db, err := s.copyTemplate(ctx, tpl)
	if err == nil {
		s.templateFound(ctx)
	}
	if err == nil || !errors.Is(err, errNoTemplate) {
		return db, err
	}
	if !s.seenBefore(ctx, tpl) {
		// A live state's first copy is the only one many live states
		// get (the plan before an apply): it is made without a template.
		if db, ok := fromOffer(); ok {
			return db, nil
		}
		return s.buildCopy(ctx, live, exec, DatabasePrefix)
	}
	built, ok := fromOffer()
	if !ok {
		if built, err = s.buildCopy(ctx, live, exec, templateBuildPrefix); err != nil {
			return nil, err
		}
	}
	built.closeSession(ctx) // a database in use cannot be renamed
	if err := s.install(ctx, built, tpl); err != nil {
		return nil, err
	}
	return s.copyTemplate(ctx, tpl)
}

// seenBefore records that a copy of the live state whose template is tpl
// was asked for, and says whether one had been before on this server, or
// whether that cannot be told. A template costs a copy of the database on
// top of making it, and pays off from the second copy: on 1,000 tables,
// a first run proven on the source's database itself validated its plan
// in 0.8–1.1 s against 1.3–1.7 s with the template made and copied (five
// interleaved runs each). The record is a table in the server's postgres
// database, which lives as long as the templates do, bounded to the
// latest maxSeen live states.
func (s *Server) seenBefore(ctx context.Context, tpl string) bool {
	seen := true
	_ = s.withAdmin(ctx, func(conn *pgx.Conn) error {
		for attempt := 0; ; attempt++ {
			var added int
			err := conn.QueryRow(ctx, `
WITH added AS (
	INSERT INTO pgflux_live_seen (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1),
pruned AS (
	DELETE FROM pgflux_live_seen WHERE name IN (
		SELECT name FROM pgflux_live_seen ORDER BY at DESC OFFSET $2))
SELECT count(*) FROM added`, tpl, maxSeen-1).Scan(&added)
			var pgErr *pgconn.PgError
			if err == nil {
				seen = added == 0
				return nil
			}
			if attempt > 0 || !errors.As(err, &pgErr) || pgErr.Code != "42P01" { // undefined_table
				return err
			}
			// Made once per server; a command making it at the same time
			// fails on the catalog's unique index, and the insert is tried
			// again either way.
			_, _ = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS pgflux_live_seen (
	name text PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT clock_timestamp())`)
		}
	})
	return seen
}

// maxSeen bounds how many live states seenBefore remembers.
const maxSeen = 64

// sourceCopyBelow is the number of tables under which a copy of live
// that has a template is still made from the source's database when the
// command offers it. Its cost, an inspection of live's schema, comes after
// the source's load, where a template copy is made during it; but both
// that inspection and the proof's read the catalog in sessions that
// already have (the second one kept, Database.inspectOptions), and no
// database is created nor dropped for it. On 2 tables that is 90 ms less
// per plan with a changed source (438 against 526 ms, ten interleaved runs
// each); on 200 tables migrate generate takes 1,015 against 1,060 ms and
// the shadow's backends 1,030 against 1,230 ms of CPU; on 1,000 tables
// the inspection costs more than the copy (4.0 against 3.9 s, five runs).
// The limit lies between the last two, nearer the smaller.
const sourceCopyBelow = 400

// exists says whether the server has a database named name; false when
// that cannot be read.
func (s *Server) exists(ctx context.Context, name string) bool {
	var ok bool
	_ = s.withAdmin(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&ok)
	})
	return ok
}

// templateFound records that a copy of live came from its template: an
// offered database is of no use then, and is released.
func (s *Server) templateFound(ctx context.Context) {
	s.mu.Lock()
	s.templated = true
	s.mu.Unlock()
	if l := s.takeOffer(); l != nil {
		l.release(ctx)
	}
}

// errNoTemplate says that the live state has no template database yet.
var errNoTemplate = errors.New("no template database")

// templateName is the template database of a live state: the hash of its
// canonical model (liveHash, live.Hash() when empty), its dependencies
// (which order the build), what it uses outside the managed schemas (its
// prelude) and of the pg-flux build that recreates it.
func templateName(live *model.Model, liveHash, buildID string, owners bool) string {
	if liveHash == "" {
		liveHash = live.Hash()
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%s\x00", buildID, owners, liveHash)
	h.Write([]byte(depsKey(live)))
	hashOutside(h, live.Outside)
	return templatePrefix + hex.EncodeToString(h.Sum(nil))[:40]
}

// copyTemplate creates a scratch database from the template tpl.
func (s *Server) copyTemplate(ctx context.Context, tpl string) (*Database, error) {
	db, err := s.newScratch(ctx, DatabasePrefix, func(ctx context.Context, conn *pgx.Conn, name string) error {
		// A session is still connected to the template only for a moment,
		// while it is renamed into place.
		return execWhileInUse(ctx, conn, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tpl}.Sanitize()+s.strategy(), 50, 20*time.Millisecond)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // not built yet
		return nil, errNoTemplate
	}
	if err != nil {
		return nil, fmt.Errorf("copy the live schema's template database on %s: %w", s.where, err)
	}
	return db, nil
}

func (s *Server) forget(name string) {
	s.mu.Lock()
	delete(s.created, name)
	s.mu.Unlock()
}

// install renames a freshly built copy of live into the template tpl (or
// drops it when another command installed tpl first), then drops the
// oldest templates beyond maxTemplates.
func (s *Server) install(ctx context.Context, built *Database, tpl string) error {
	err := s.withAdmin(ctx, func(conn *pgx.Conn) error {
		return s.renameKeeping(ctx, conn, built.Name, tpl, `pgflux\_tpl\_%`, maxTemplates)
	})
	if err != nil {
		built.Drop(ctx)
		if nameTaken(err) { // installed meanwhile by another command
			return nil
		}
		return fmt.Errorf("keep the live schema's template database on %s: %w", s.where, err)
	}
	return nil
}

// nameTaken says whether creating or renaming a database failed because
// another session took the name first: duplicate_database when it had
// committed, a unique violation on pg_database's names when both renamed
// at the same moment.
func nameTaken(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "42P04" || pgErr.Code == "23505" && pgErr.ConstraintName == "pg_database_datname_index"
}

// renameKeeping renames the database from, which this server created, to
// to, waiting while its last sessions end, then keeps, of the other
// databases LIKE pattern, the newest keep-1 and drops the rest. Newest is
// by OID, which is when a database was made, not renamed: to may be older
// than all of them (an empty one from the pool, the source's database).
// One that another command is copying or taking right now is not dropped
// (55006, or it has another name already); it goes next time.
func (s *Server) renameKeeping(ctx context.Context, conn *pgx.Conn, from, to, pattern string, keep int) error {
	if err := execWhileInUse(ctx, conn, "ALTER DATABASE "+pgx.Identifier{from}.Sanitize()+" RENAME TO "+pgx.Identifier{to}.Sanitize(), 100, 10*time.Millisecond); err != nil {
		return err
	}
	s.forget(from)
	names, err := databasesLike(ctx, conn, pattern)
	if err != nil {
		return nil
	}
	kept := 1 // to
	for _, name := range names {
		if name == to {
			continue
		}
		if kept < keep {
			kept++
			continue
		}
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	}
	return nil
}

// execWhileInUse runs sql on conn, and again, up to attempts times in all,
// while it fails because another session is on the database (55006).
func execWhileInUse(ctx context.Context, conn *pgx.Conn, sql string, attempts int, pause time.Duration) error {
	for attempt := 1; ; attempt++ {
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt >= attempts || ctx.Err() != nil {
			return err
		}
		time.Sleep(pause)
	}
}

// buildCopy creates a database named with prefix and recreates the live
// schema in it: its prelude (what it uses outside the managed schemas),
// then the steps of plan.Build from an empty model.
func (s *Server) buildCopy(ctx context.Context, live *model.Model, exec Executor, prefix string) (db *Database, err error) {
	base, err := plan.Build(model.New(), live, plan.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot recreate the live schema (this is a pg-flux bug; please report it with the live schema): %w", err)
	}
	var scratch *Database
	if prefix == DatabasePrefix {
		scratch, err = s.CreateDatabase(ctx)
	} else {
		scratch, err = s.createNamed(ctx, prefix)
	}
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
	if err := s.runPrelude(ctx, conn, live.Outside); err != nil {
		return nil, err
	}
	if err := runBatched(ctx, conn, base.Steps, exec); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("recreating the live schema in a scratch database failed (this is a pg-flux bug; please report it with the live schema): %w", err)
	}
	return db, nil
}

// runBatched runs steps on a scratch database in as few round trips as it
// can: each run of transactional steps as one multi-statement query, which
// PostgreSQL runs as one implicit transaction; the others alone. A run
// that fails is rolled back whole and run again with exec, step by step,
// so that its error names the step.
func runBatched(ctx context.Context, conn *pgx.Conn, steps []plan.Step, exec Executor) error {
	for start := 0; start < len(steps); {
		end := plan.GroupEnd(steps, start)
		group := steps[start:end]
		if end-start > 1 {
			var b strings.Builder
			for _, st := range group {
				// A newline first: a step may end in a line comment.
				b.WriteString(st.SQL)
				b.WriteString("\n;\n")
			}
			_, err := conn.Exec(ctx, b.String())
			if err == nil {
				start = end
				continue
			}
			if ctx.Err() != nil {
				return err
			}
		}
		if err := exec(ctx, conn, group); err != nil {
			return err
		}
		start = end
	}
	return nil
}
