// Package shadow runs the desired schema in disposable databases: it loads
// the source into a scratch database so that PostgreSQL itself normalises
// it (Desired), and proves a plan by replaying it on a copy of the live
// schema (Validate). The scratch databases live on a server given with
// --shadow-dsn or on an embedded throwaway cluster, and none is left behind.
package shadow

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// Options say which server the shadow databases live on.
type Options struct {
	// DSN is a maintenance database of a server where pg-flux may create
	// and drop databases (--shadow-dsn, $PGFLUX_SHADOW_DSN). Empty means an
	// embedded throwaway cluster.
	DSN string
	// Major is the PostgreSQL major version of the embedded cluster (the
	// live server's); 0 takes any binaries found.
	Major int
	// Log receives the embedded server's output; nil discards it.
	Log io.Writer
	// Owners makes the models read from scratch databases include object
	// owners (manage_owners).
	Owners bool
	// Binaries are the binaries of an embedded server when the caller
	// has found them already (pgserver.FindBinaries of Major).
	Binaries pgserver.Binaries
	// BuildID identifies the pg-flux build (BuildID): template databases of
	// live made by one build are not used by another. Empty disables them.
	BuildID string
}

// DatabasePrefix starts the name of every database the shadow creates.
const DatabasePrefix = "pgflux_shadow_"

// dropTimeout bounds the clean-up of a scratch database, which runs even
// when the caller's context is already cancelled.
const dropTimeout = 30 * time.Second

// Server is a PostgreSQL server that holds shadow databases.
type Server struct {
	admin   string            // DSN of the maintenance database
	cluster *pgserver.Cluster // nil for a --shadow-dsn server
	major   int
	// fsyncOff says the server runs with fsync off, as every cluster
	// pg-flux starts does: a checkpoint is then cheap (strategy).
	fsyncOff bool
	where    string // the server, for messages
	extHint  string // what to do about an extension the server lacks
	owners   bool   // models include owners (Options.Owners)
	buildID  string // Options.BuildID

	mu      sync.Mutex
	created map[string]bool // databases created and not yet dropped
	closed  bool
	// spare is a database being created ahead of the next CreateDatabase,
	// so that its cost (a good part of a plan's time) overlaps other work.
	spare       chan spareResult
	spareCancel context.CancelFunc
	spareWG     sync.WaitGroup
	// making counts the databases being made (newScratch): Close waits
	// for them before it drops what was created.
	making sync.WaitGroup
	// ahead is a copy of live being made before anyone asks (CopyAhead).
	ahead *aheadCopy
	// offered is the source's database kept for a copy of live to be
	// made from (offer); templated says a copy came from live's template,
	// so none will be.
	offered   *Loaded
	templated bool
	// copies counts the copies of live made or started (CopiesOfLive).
	copies atomic.Int64
	// fromSource counts those made from the source's database
	// (CopiesFromSource).
	fromSource atomic.Int64
	// parkedTaken counts the copies that were a parked database
	// (unpark, CopiesParked).
	parkedTaken atomic.Int64
	// idleAdmin are sessions on the maintenance database kept for the
	// next withAdmin (under mu).
	idleAdmin []*pgx.Conn
	// tplOf is the last model templateOf named, tplName its template.
	tplOf   *model.Model
	tplName string
}

type spareResult struct {
	db  *Database
	err error
}

// openServer connects to or starts the server for Open.
func openServer(ctx context.Context, opts Options) (*Server, error) {
	if opts.DSN != "" {
		return openDSN(ctx, opts.DSN)
	}
	bin := opts.Binaries
	if bin.Dir == "" {
		var err error
		if bin, err = pgserver.FindBinaries(opts.Major); err != nil {
			return nil, noBinariesError(opts.Major, err)
		}
	}
	idle, err := pgserver.SharedIdle()
	if err != nil {
		return nil, err
	}
	var c *pgserver.Cluster
	if idle > 0 {
		c, err = pgserver.OpenShared(ctx, pgserver.SharedOptions{Binaries: bin, Idle: idle})
	} else {
		c, err = pgserver.Start(ctx, pgserver.Options{Binaries: bin, Log: opts.Log})
	}
	if err != nil {
		return nil, fmt.Errorf("start the shadow PostgreSQL server: %w", err)
	}
	var sessions []*pgx.Conn
	if conn := c.TakeSession(); conn != nil {
		sessions = append(sessions, conn) // the first withAdmin's session
	}
	return prepared(&Server{
		idleAdmin: sessions,
		admin:     c.DSN("postgres"),
		cluster:   c,
		major:     bin.Major,
		fsyncOff:  true,
		where:     fmt.Sprintf("the embedded shadow server (PostgreSQL %s from %s)", bin.Version, bin.Dir),
		extHint: fmt.Sprintf("install the extension for the binaries in %s (e.g. the postgresql-%d-<extension> package), "+
			"set PGFLUX_PG_BINDIR to PostgreSQL %d binaries that have it, or use --shadow-dsn with a server that has it", bin.Dir, bin.Major, bin.Major),
		created: map[string]bool{},
	}), nil
}

func noBinariesError(major int, err error) error {
	version := "PostgreSQL"
	if major != 0 {
		version = fmt.Sprintf("PostgreSQL %d", major)
	}
	return fmt.Errorf("no shadow database server: %w\n"+
		"pg-flux needs a scratch PostgreSQL server to load the schema source into. Provide one of:\n"+
		"  1. a server where pg-flux may create and drop a temporary database: --shadow-dsn URL or PGFLUX_SHADOW_DSN\n"+
		"  2. %s server binaries (initdb, postgres): install them (e.g. apt-get install postgresql-%s) or set PGFLUX_PG_BINDIR to their bin directory\n"+
		"  3. %s binaries in the cache directory (%s): fetch them with %s",
		err, version, majorOrN(major), version, strings.Join(pgserver.CacheRoots(), " or "), pgserver.FetchCommand(major))
}

func majorOrN(major int) string {
	if major == 0 {
		return "<major>"
	}
	return fmt.Sprint(major)
}

func openDSN(ctx context.Context, admin string) (*Server, error) {
	where, err := dsn.Describe(admin)
	if err != nil {
		return nil, fmt.Errorf("shadow server: %w", err)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("connect to the shadow server %s (--shadow-dsn): %s", where, dsn.Redact(err.Error()))
	}
	var major int
	var mayCreate, fsyncOff bool
	err = conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int / 10000,
		(SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user),
		current_setting('fsync') = 'off'`).Scan(&major, &mayCreate, &fsyncOff)
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("shadow server %s: %w", where, err)
	}
	if !mayCreate {
		conn.Close(ctx)
		return nil, fmt.Errorf("the shadow server user may not create databases on %s: grant it CREATEDB (ALTER ROLE … CREATEDB), or pass a --shadow-dsn whose user may", where)
	}
	return prepared(&Server{
		idleAdmin: []*pgx.Conn{conn}, // the first withAdmin's session
		admin:     admin,
		major:     major,
		fsyncOff:  fsyncOff,
		where:     fmt.Sprintf("the shadow server %s (--shadow-dsn)", where),
		extHint:   "install the extension on that server, or use a --shadow-dsn server that has it",
		created:   map[string]bool{},
	}), nil
}

// Shared reports whether the server is the shared shadow server, which
// outlives the command.
func (s *Server) Shared() bool { return s != nil && s.cluster != nil && s.cluster.Shared() }

// Major is the server's PostgreSQL major version.
func (s *Server) Major() int { return s.major }

// Embedded reports whether the server is a cluster pg-flux started (a
// shared or a throwaway one), rather than a --shadow-dsn server.
func (s *Server) Embedded() bool { return s.cluster != nil }

// LoadOptions are the options Load needs for databases of this server:
// roles are created only on a throwaway cluster, because they are
// cluster-wide and a --shadow-dsn server is not ours to change.
func (s *Server) LoadOptions() LoadOptions {
	return LoadOptions{CreateRoles: s.Embedded(), Server: s.where, ExtensionHint: s.extHint, Owners: s.owners, Major: s.major,
		CommitEvery: commitEvery}
}

// commitEvery is LoadOptions.CommitEvery on every shadow server. With
// 3,000 statements (1,000 tables), `psql` loads committing every 200 or
// 500 statements as fast as committing each one, and 20-30 % faster than
// in one transaction; every 1,000 is already slower (BENCHMARKS.md).
const commitEvery = 300

// Database is a scratch database on a shadow server.
type Database struct {
	Name string
	DSN  string
	srv  *Server
	// session is a session opened on a copy of live made ahead of need
	// (CopyAhead); see takeSession.
	session *readySession
	// opened is a session opened with a spare database, for its first
	// Connect.
	opened *pgx.Conn
	// leaving is a session its user is done with, ended before the drop
	// (leave).
	leaving *pgx.Conn
	// second is the second session of the last inspection on two
	// sessions, kept for the next one (inspectOptions), ended before the
	// drop.
	second *pgx.Conn
}

// inspectOptions are the catalog options to inspect d with. On two
// sessions (parallel), the second is kept between inspections of d: a
// proof inspects its copy once per plan, and a warm backend reads its half
// of a 200-table catalog in 60 ms less than a new one.
func (d *Database) inspectOptions(schemas []string, parallel bool) catalog.Options {
	o := catalog.Options{Schemas: schemas, Owners: d.srv.owners, Parallel: parallel}
	if parallel {
		o.Dial = d.dialSecond
		o.Keep = func(conn *pgx.Conn) { d.second = conn }
	}
	return o
}

// dialSecond returns the kept second session, else a new one.
func (d *Database) dialSecond(ctx context.Context) (*pgx.Conn, error) {
	if conn := d.second; conn != nil {
		d.second = nil
		if !conn.IsClosed() {
			return conn, nil
		}
	}
	return d.Connect(ctx)
}

// CreateDatabase creates an empty, uniquely named database. Drop it when
// done; Close drops whatever is left.
func (s *Server) CreateDatabase(ctx context.Context) (*Database, error) {
	s.mu.Lock()
	spare, cancel := s.spare, s.spareCancel
	s.spare, s.spareCancel = nil, nil
	s.mu.Unlock()
	if spare != nil {
		select {
		case r := <-spare:
			cancel()
			if r.err == nil {
				s.nextSpare()
				return r.db, nil
			}
			// Creating it anew reports the error with this caller's context.
		case <-ctx.Done():
			cancel() // a database it made anyway is dropped by Close
			return nil, ctx.Err()
		}
	}
	db, err := s.create(ctx)
	if err != nil {
		return nil, err
	}
	s.nextSpare()
	return db, nil
}

// nextSpare starts making the database after the first, for a second
// CreateDatabase or, on a shared server, for the next command: there it
// is made straight into the pool, which this command's own CreateDatabase
// takes from too. A command that ends leaves nothing to rename then, and
// one killed meanwhile leaves an empty database where it belongs.
func (s *Server) nextSpare() {
	if !s.Shared() {
		s.prepareSpare(false)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.spareWG.Add(1)
	go func() {
		defer s.spareWG.Done()
		s.toPool(func(ctx context.Context, conn *pgx.Conn, pooled string) error {
			return s.createEmpty(ctx, conn, pooled)
		})
	}()
}

// prepared starts making a spare database, and its first session, for a
// new server: the source loads into it.
func prepared(s *Server) *Server {
	s.prepareSpare(true)
	return s
}

// prepareSpare starts creating the next database in the background, and
// opening a session on it when connect is set: the first spare's is on
// the source loading's path, a later one's rarely used.
func (s *Server) prepareSpare(connect bool) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan spareResult, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.spare != nil {
		cancel()
		return
	}
	s.spare, s.spareCancel = ch, cancel
	s.spareWG.Add(1)
	go func() {
		defer s.spareWG.Done()
		db, err := s.create(ctx)
		if err == nil && connect {
			// A backend start is 20-60 ms; Connect dials again if this
			// one failed.
			db.opened, _ = db.Connect(ctx)
		}
		ch <- spareResult{db, err}
	}()
}

func (s *Server) create(ctx context.Context) (*Database, error) {
	return s.createNamed(ctx, DatabasePrefix)
}

// createNamed creates an empty database named with prefix (see
// scratchName).
func (s *Server) createNamed(ctx context.Context, prefix string) (*Database, error) {
	db, err := s.newScratch(ctx, prefix, func(ctx context.Context, conn *pgx.Conn, name string) error {
		if prefix == DatabasePrefix && s.Shared() && s.fromPool(ctx, conn, name) {
			return nil
		}
		return s.createEmpty(ctx, conn, name)
	})
	if err != nil {
		return nil, fmt.Errorf("create a shadow database on %s: %w", s.where, err)
	}
	return db, nil
}

// newScratch makes a scratch database named with prefix (see
// scratchName): put makes it under that name on the maintenance session
// (creates it, copies a template into it, renames another into it). The
// name is recorded before the database exists, and put runs to its end
// whatever ctx says (Close waits for it): a statement cancelled from here
// may still complete on the server, after any drop. When put fails, or
// ctx is done by then, what it may have made is dropped; when it fails
// because the database it starts from does not exist (3D000), nothing was.
func (s *Server) newScratch(ctx context.Context, prefix string, put func(ctx context.Context, conn *pgx.Conn, name string) error) (*Database, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("name a shadow database: %w", err)
	}
	name := scratchName(prefix, b)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, fmt.Errorf("make a shadow database on %s: the server is closed", s.where)
	}
	s.created[name] = true
	s.making.Add(1)
	s.mu.Unlock()
	defer s.making.Done()
	// The statement runs to its end even when ctx is cancelled: a
	// CREATE DATABASE cancelled from here may still commit on the server
	// after the drop below, or after Close's, and be left behind.
	putCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	err := s.withAdmin(putCtx, func(conn *pgx.Conn) error { return put(putCtx, conn, name) })
	cancel()
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000": // invalid_catalog_name
		s.forget(name)
		return nil, err
	case err == nil && ctx.Err() != nil:
		err = ctx.Err() // made, but no longer wanted
		fallthrough
	case err != nil:
		s.drop(ctx, name)
		return nil, err
	}
	return s.database(ctx, name)
}

// createEmpty creates the empty database name on conn. template0 with C
// collation and UTF8 always works, whatever the server's defaults;
// collation does not show in the catalog model.
func (s *Server) createEmpty(ctx context.Context, conn *pgx.Conn, name string) error {
	_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"+s.strategy())
	return err
}

// strategy is the CREATE DATABASE option for this server
// (pgserver.CopyStrategy).
func (s *Server) strategy() string { return pgserver.CopyStrategy(s.major, s.fsyncOff) }

// database returns the scratch database name, created.
func (s *Server) database(ctx context.Context, name string) (*Database, error) {
	d, err := dsn.WithDatabase(s.admin, name)
	if err != nil {
		s.drop(ctx, name)
		return nil, err
	}
	return &Database{Name: name, DSN: d, srv: s}, nil
}

// Connect opens a connection to the database.
func (d *Database) Connect(ctx context.Context) (*pgx.Conn, error) {
	if conn := d.opened; conn != nil {
		d.opened = nil
		return conn, nil
	}
	conn, err := pgx.Connect(ctx, d.DSN)
	if err != nil {
		return nil, fmt.Errorf("connect to shadow database %s: %s", d.Name, dsn.Redact(err.Error()))
	}
	return conn, nil
}

// Drop drops the database, ending any session still connected to it. It
// runs even when ctx is cancelled, so error paths leave nothing behind.
func (d *Database) Drop(ctx context.Context) error {
	d.closeSession(ctx)
	return d.srv.drop(ctx, d.Name)
}

// dropLater drops the database in the background, for one that is no
// longer needed and need not be waited for (its drop took 30-60 ms of a
// plan's path). Close waits for it, and drops the database again if it
// failed.
func (d *Database) dropLater(ctx context.Context) {
	// One that fails is left in created: Close drops it again (once
	// closed, as after a killed command: a shared server's next command
	// drops it).
	d.srv.later(ctx, func(ctx context.Context) { _ = d.Drop(ctx) })
}

// later runs fn in the background, where Close waits for it; once the
// server is closing, Close no longer waits, and fn runs at once. fn's
// context is not cancelled with ctx.
func (s *Server) later(ctx context.Context, fn func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		fn(ctx)
		return
	}
	s.spareWG.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.spareWG.Done()
		fn(ctx)
	}()
}

func (s *Server) drop(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	err := s.withAdmin(ctx, func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	})
	if err != nil {
		return fmt.Errorf("drop shadow database %s on %s: %w", name, s.where, err)
	}
	s.mu.Lock()
	delete(s.created, name)
	s.mu.Unlock()
	return nil
}

// maxIdleAdmin bounds the sessions withAdmin keeps: two cover the
// background work (a spare database, a copy of live, a drop) that may
// overlap the command's own.
const maxIdleAdmin = 2

// withAdmin runs fn on a session of the maintenance database. Sessions are
// kept for the next call: a new one costs a backend start, 20-60 ms on a
// busy machine, and a plan makes half a dozen such calls (claim a spare
// database, copy a template, drop), some on its critical path. A session
// is kept only when fn leaves it healthy and outside a transaction; an
// error other than the server's (a broken connection, a cancelled
// context) closes it.
func (s *Server) withAdmin(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	s.mu.Lock()
	var conn *pgx.Conn
	if n := len(s.idleAdmin); n > 0 {
		conn, s.idleAdmin = s.idleAdmin[n-1], s.idleAdmin[:n-1]
	}
	s.mu.Unlock()
	if conn == nil {
		var err error
		if conn, err = pgx.Connect(ctx, s.admin); err != nil {
			return fmt.Errorf("connect to %s: %s", s.where, dsn.Redact(err.Error()))
		}
	}
	err := fn(conn)
	var pgErr *pgconn.PgError
	if (err == nil || errors.As(err, &pgErr)) && !conn.IsClosed() && conn.PgConn().TxStatus() == 'I' {
		s.mu.Lock()
		// Kept after closed too: Close's own drops use them, and it
		// closes them last.
		if len(s.idleAdmin) < maxIdleAdmin {
			s.idleAdmin = append(s.idleAdmin, conn)
			conn = nil
		}
		s.mu.Unlock()
	}
	if conn != nil {
		conn.Close(context.WithoutCancel(ctx))
	}
	return err
}

// endSessions closes conns and waits, up to a second, until the server has
// ended their backends. DROP DATABASE and ALTER DATABASE … RENAME wait for
// the backends on their database to go, checking every 100 ms: one still
// exiting when they look costs them 100 ms, on a command's last steps. The
// server closes its end of a connection only once the backend is no longer
// counted. Every session is told to end before any is waited for: a
// backend that read a large catalog takes 10 ms or more to exit, and a
// proof's database has two.
func endSessions(ctx context.Context, conns ...*pgx.Conn) {
	var ending []net.Conn
	for _, conn := range conns {
		if conn == nil {
			continue
		}
		hj, err := conn.PgConn().Hijack()
		if err != nil { // busy or closed
			conn.Close(context.WithoutCancel(ctx))
			continue
		}
		hj.Frontend.Send(&pgproto3.Terminate{})
		if hj.Frontend.Flush() != nil {
			hj.Conn.Close()
			continue
		}
		ending = append(ending, hj.Conn)
	}
	deadline := time.Now().Add(time.Second)
	for _, c := range ending {
		_ = c.SetReadDeadline(deadline)
		_, _ = io.Copy(io.Discard, c)
		c.Close()
	}
}

// closeAdmin closes the kept maintenance sessions.
func (s *Server) closeAdmin() {
	s.mu.Lock()
	idle := s.idleAdmin
	s.idleAdmin = nil
	s.mu.Unlock()
	for _, conn := range idle {
		conn.Close(context.Background())
	}
}

// Close drops the databases that were created and not dropped, and stops an
// embedded cluster (whose data directory goes with it).
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	spare, cancel := s.spare, s.spareCancel
	s.spare, s.spareCancel = nil, nil
	offered := s.offered
	s.offered = nil
	if s.ahead != nil {
		s.ahead.cancel() // a copy of live nobody asked for; Close drops it below
	}
	s.mu.Unlock()
	if offered != nil {
		offered.release(context.Background()) // dropped now: the server is closed
	}
	if spare != nil {
		// A spare that is ready goes to a shared server's pool for the
		// next command; one still being made is called off.
		select {
		case r := <-spare:
			if r.err == nil && s.Shared() {
				r.db.closeSession(context.Background()) // a database in use cannot be renamed
				s.toPool(s.renameInto(r.db.Name))
			}
		default:
			cancel()
			s.spareWG.Wait()
			// Made anyway: its database is dropped below, with its session.
			if r := <-spare; r.db != nil {
				r.db.closeSession(context.Background())
			}
		}
		cancel()
	}
	s.spareWG.Wait()
	s.making.Wait()
	s.mu.Lock()
	if a := s.ahead; a != nil && a.db != nil {
		a.db.closeSession(context.Background()) // its database is dropped below
	}
	s.mu.Unlock()

	if s.cluster != nil && !s.cluster.Shared() {
		s.closeAdmin()
		return s.cluster.Stop() // the databases go with the cluster
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.created))
	for name := range s.created {
		names = append(names, name)
	}
	s.mu.Unlock()
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		if err := s.drop(context.Background(), name); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Shared() {
		// Here rather than at the start: off the command's path, on a
		// session already open.
		s.dropOrphans(context.Background())
	}
	s.closeAdmin()
	if s.cluster != nil {
		errs = append(errs, s.cluster.Stop()) // ends this command's use of the shared server
	}
	return errors.Join(errs...)
}
