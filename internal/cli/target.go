package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// target is the live database a command works on.
type target struct {
	Conn *pgx.Conn
	// Desc is host:port/db, for messages and the advisory-lock key.
	Desc string
	// Major is the server's major version.
	Major int
	// dev is the embedded dev cluster, nil for a --db target.
	dev *pgserver.Cluster
	// spare is a second connection dialled beside Conn, for the catalog
	// inspection's second session (see catalogOptions); nil when the
	// command does not inspect live.
	spare *spareConn
}

// spareConn is a connection being dialled ahead of its use; before it is
// taken, first may give it work of its own.
type spareConn struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once dialled
	ready  chan struct{} // closed once dialled and first's work is done
	conn   *pgx.Conn
	err    error
	taken  atomic.Bool
}

func dialSpare(ctx context.Context, dsn string) *spareConn {
	ctx, cancel := context.WithCancel(ctx)
	c := &spareConn{cancel: cancel, done: make(chan struct{})}
	c.ready = c.done
	go func() {
		defer close(c.done)
		c.conn, c.err = connect(ctx, dsn)
	}()
	return c
}

// first runs fn on the connection once it is made (not when the dial
// fails); take hands it over after that. Called once, before take.
func (c *spareConn) first(fn func(*pgx.Conn)) {
	ready := make(chan struct{})
	c.ready = ready
	go func() {
		defer close(ready)
		<-c.done
		if c.err == nil {
			fn(c.conn)
		}
	}()
}

// failed waits for the connection, and first's work, and reports whether
// it could not be made.
func (c *spareConn) failed() bool {
	<-c.ready
	return c.err != nil
}

// take hands the connection over, once; its taker closes it.
func (c *spareConn) take(ctx context.Context) (*pgx.Conn, error) {
	if c.taken.Swap(true) {
		return nil, errors.New("the spare connection was taken already")
	}
	select {
	case <-c.ready:
		return c.conn, c.err
	case <-ctx.Done():
		c.taken.Store(false) // still ours to close
		return nil, ctx.Err()
	}
}

func (c *spareConn) close() {
	c.cancel()
	<-c.ready
	if c.conn != nil && !c.taken.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.conn.Close(ctx)
		cancel()
	}
}

// catalogOptions are the catalog options to inspect live with; parallel
// reads on two sessions, the second on the spare connection when there is
// one.
func (t *target) catalogOptions(s *settings, parallel bool) catalog.Options {
	o := catalog.Options{Schemas: s.TargetSchemas, Owners: s.ManageOwners, Parallel: parallel}
	if t.spare != nil {
		o.Dial = t.spare.take
	}
	return o
}

// devDatabase is the database of the embedded dev cluster that pg-flux
// manages; scratch databases are created beside it.
const devDatabase = "postgres"

// ShadowDSN returns the DSN the shadow should use when none is configured:
// the embedded dev cluster itself (already running, so no second cluster
// starts), else "" for shadow's own embedded cluster.
func (t *target) ShadowDSN() string {
	if t.dev != nil {
		return t.dev.DSN(devDatabase)
	}
	return ""
}

// Close closes the connection and stops the embedded dev cluster. It is safe
// to call after a cancelled context.
func (t *target) Close() {
	if t == nil {
		return
	}
	if t.spare != nil {
		t.spare.close()
	}
	if t.Conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		t.Conn.Close(ctx)
		cancel()
	}
	if t.dev != nil {
		t.dev.Stop()
	}
}

// openTarget connects to the live database: --db / DATABASE_URL / db: in
// the config, else the embedded dev database, started now.
func (a *app) openTarget(ctx context.Context, s *settings) (*target, error) {
	return a.openTargetTo(ctx, s, false)
}

// openTargetTo is openTarget; toInspect also dials the spare connection
// that catalogOptions uses, while the server's version is read.
func (a *app) openTargetTo(ctx context.Context, s *settings, toInspect bool) (*target, error) {
	t := &target{}
	conn := s.DB
	if conn == "" {
		dev, err := a.startDev(ctx, s.ProjectDir)
		if err != nil {
			return nil, err
		}
		t.dev = dev
		conn = dev.DSN(devDatabase)
	}
	desc, err := dsn.Describe(conn)
	if err != nil {
		t.Close()
		return nil, &userError{
			msg:  fmt.Sprintf("invalid database URL in %s: %s", dbOrigin(s), strings.TrimPrefix(dsn.Redact(err.Error()), "parse connection string: ")),
			hint: "Use a URL like postgres://user@host:5432/dbname (password in the URL or in ~/.pgpass) or key=value pairs (host=… dbname=…).",
		}
	}
	t.Desc = desc
	if t.dev != nil {
		desc = "the embedded dev database"
	}
	if toInspect {
		// Dialled beside the first: each takes a backend's start, which
		// the inspection would otherwise wait for twice.
		t.spare = dialSpare(ctx, conn)
	}
	t.Conn, err = connect(ctx, conn)
	if err != nil && t.spare != nil && tooManyConnections(err) {
		// Under a connection limit the two race for the last slot, and
		// starting together both may be refused. The spare, if it won, is
		// the connection; else one more is tried alone. Live is then read
		// on one session.
		spare := t.spare
		t.spare = nil
		if c, spareErr := spare.take(ctx); spareErr == nil {
			t.Conn, err = c, nil
		} else {
			spare.close()
			t.Conn, err = connect(ctx, conn)
		}
	}
	if err != nil {
		t.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		hint := "Check the database URL given by " + dbOrigin(s) + ", and that the server is running and accepts connections from here."
		if t.dev != nil {
			hint = "The embedded dev database started but refused the connection; remove .pg-flux/dev to start afresh."
		} else if reason := err.Error(); strings.Contains(reason, "x509:") || strings.Contains(reason, "tls:") {
			hint = "The server's TLS certificate was not accepted: sslrootcert in " + dbOrigin(s) + " must name the CA that signed it, and with sslmode=verify-full the host name must be one the certificate names."
		}
		return nil, &userError{msg: fmt.Sprintf("cannot connect to %s: %s", desc, connectReason(err)), hint: hint, err: err}
	}
	if t.Major, err = serverMajor(ctx, t.Conn); err != nil {
		t.Close()
		return nil, fmt.Errorf("cannot read the server version of %s: %s", desc, connectReason(err))
	}
	a.log.Debug("connected", "target", t.Desc, "major", t.Major)
	return t, nil
}

// dbOrigin names where the database URL came from, for hints.
func dbOrigin(s *settings) string {
	switch s.DBSource {
	case "--db", "DATABASE_URL":
		return s.DBSource
	case "":
		return "the embedded dev database"
	}
	return "db: in " + s.DBSource
}

// serverMajor is the major version of conn's server: from the
// server_version the server reports as the connection starts, which saves
// a query in a backend whose caches are still cold; else asked.
func serverMajor(ctx context.Context, conn *pgx.Conn) (int, error) {
	if major, ok := majorOf(conn.PgConn().ParameterStatus("server_version")); ok {
		return major, nil
	}
	var major int
	err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&major)
	return major, err
}

// majorOf reads the major out of a server_version ("15.18 (Debian …)",
// "17beta1"): from PostgreSQL 10 on, its first number.
func majorOf(version string) (int, bool) {
	if i := strings.IndexFunc(version, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		version = version[:i]
	}
	major, err := strconv.Atoi(version)
	return major, err == nil && major >= 10
}

// tooManyConnections says whether err is the server refusing a connection
// for a connection limit (the server's, a role's or a database's).
func tooManyConnections(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "53300"
}

// connect opens a connection named pg-flux in pg_stat_activity.
func connect(ctx context.Context, conn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		return nil, err
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "pg-flux"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// connectReason extracts the one phrase that explains a failed connection
// from pgx's layered error: the server's message, or the network's.
func connectReason(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("unknown host %q", dnsErr.Name)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	msg := err.Error()
	// pgx: "failed to connect to `user=… database=…`: host (addr): reason"
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		msg = msg[i+3:]
	}
	return dsn.Redact(msg)
}

// startDev starts the project's embedded dev database.
func (a *app) startDev(ctx context.Context, projectDir string) (*pgserver.Cluster, error) {
	home := filepath.Join(projectDir, ".pg-flux")
	data := filepath.Join(home, "dev", "data")
	shown := filepath.Join(".pg-flux", "dev")
	outside := pgserver.RunsAsOtherUser() && !pgserver.Reachable(data)
	if outside {
		// The server runs as an unprivileged user who cannot reach into the
		// project (say, under /root): keep the data where it can, one
		// directory per project.
		data = filepath.Join(os.TempDir(), devDirKey(projectDir), "data")
		shown = filepath.Dir(data)
	}
	bin, err := devBinaries(data, shown)
	if err != nil {
		return nil, err
	}
	if outside {
		a.verbosef("the PostgreSQL server user cannot reach %s; keeping the embedded dev database in %s", projectDir, shown)
	} else if err := os.MkdirAll(filepath.Join(home, "dev"), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", filepath.Join(home, "dev"), err)
	} else {
		// The dev database is local state: keep it out of git without
		// touching the project's own .gitignore.
		ignore := filepath.Join(home, ".gitignore")
		if _, err := os.Stat(ignore); errors.Is(err, os.ErrNotExist) {
			_ = os.WriteFile(ignore, []byte("# pg-flux local state (the embedded dev database)\n*\n"), 0o644)
		}
	}
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", filepath.Dir(data), err)
	}
	a.verbosef("using the embedded dev database in %s (PostgreSQL %s)", shown, bin.Version)
	started := time.Now()
	c, err := pgserver.Start(ctx, pgserver.Options{Binaries: bin, DataDir: data})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &userError{
			msg:  "cannot start the embedded dev database in " + shown + ": " + err.Error(),
			hint: "If another pg-flux command is using it, wait for it to finish; otherwise pass --db to use a server of your own.",
			err:  err,
		}
	}
	a.log.Debug("embedded dev database started", "data", data, logDurationMS, time.Since(started).Milliseconds())
	return c, nil
}

// devBinaries finds the binaries for the dev database: those of the major
// its data directory was created with, or any when there is none yet.
func devBinaries(data, shown string) (pgserver.Binaries, error) {
	major := 0
	if v, err := os.ReadFile(filepath.Join(data, "PG_VERSION")); err == nil {
		major, _ = strconv.Atoi(strings.TrimSpace(string(v)))
	}
	bin, err := pgserver.FindBinaries(major)
	if err == nil {
		return bin, nil
	}
	if major != 0 {
		return bin, &userError{
			msg: fmt.Sprintf("the embedded dev database in %s was created by PostgreSQL %d and needs its server binaries: %v", shown, major, err),
			hint: fmt.Sprintf("Fetch them (%s) or set PGFLUX_PG_BINDIR to them; or remove %s to start over with the binaries found; or pass --db.",
				pgserver.FetchCommand(major), shown),
			err: err,
		}
	}
	return bin, &userError{
		msg:  "no database given and the embedded dev database needs PostgreSQL server binaries: " + err.Error(),
		hint: "Pass --db (or set DATABASE_URL), or install PostgreSQL (e.g. apt-get install postgresql), set PGFLUX_PG_BINDIR, or run " + pgserver.FetchCommand(0) + ".",
		err:  err,
	}
}

// devDirKey names the directory under os.TempDir() that holds a project's
// dev database when the project itself is out of the server user's reach.
func devDirKey(projectDir string) string {
	sum := sha256.Sum256([]byte(projectDir))
	return "pg-flux-dev-" + hex.EncodeToString(sum[:8])
}
