package pgserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/dsn"
)

// Superuser is the bootstrap superuser of every cluster pg-flux creates.
const Superuser = "postgres"

// Options describe a cluster to start.
type Options struct {
	Binaries Binaries
	// DataDir keeps the cluster's data across runs (the embedded dev
	// database). Empty means a throwaway cluster in a temporary directory,
	// removed by Stop.
	DataDir string
	// Log receives the server's output; nil discards it (it is kept in
	// memory and shown when the server fails to start).
	Log io.Writer
	// Port is the server's port (5432 when zero): the unix socket's name,
	// and the TCP port when Settings enable listen_addresses.
	Port int
	// Settings are extra "name=value" server settings, after (and so
	// overriding) the defaults: tests use them for TCP and TLS.
	Settings []string
}

// Cluster is a running PostgreSQL server started by pg-flux.
type Cluster struct {
	bin       Binaries
	dataDir   string
	socketDir string
	throwaway bool
	cmd       *exec.Cmd
	exited    chan struct{}
	output    *bytes.Buffer
	// release ends this command's use of a shared server (OpenShared),
	// which Stop leaves running.
	release  func()
	port     int
	settings []string
	// session is a session on the postgres database opened while the
	// server was started or checked (TakeSession).
	session *pgx.Conn
}

// TakeSession returns, once, the session on the postgres database that
// OpenShared opened to start or check the server, for the caller's own
// use (a new session costs a backend start); nil when there is none.
func (c *Cluster) TakeSession() *pgx.Conn {
	conn := c.session
	c.session = nil
	return conn
}

// Start starts a cluster. A new data directory is created by copying a
// template initialised once per binaries directory, which makes a start take
// a fraction of a second.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: opts.Binaries, dataDir: opts.DataDir, output: &bytes.Buffer{}, port: opts.Port, settings: opts.Settings}
	if c.dataDir == "" {
		c.throwaway = true
		tmp, err := os.MkdirTemp("", "pg-flux-data-")
		if err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		c.dataDir = filepath.Join(tmp, "data")
		if err := owner.chown(tmp); err != nil {
			c.removeData()
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		tmpl, err := template(ctx, c.bin, owner)
		if err != nil {
			c.removeData()
			return nil, err
		}
		if err := copyTree(tmpl, c.dataDir, owner); err != nil {
			c.removeData()
			return nil, fmt.Errorf("copy cluster template: %w", err)
		}
	}
	c.socketDir, err = os.MkdirTemp("", "pg-flux-sock-")
	if err != nil {
		c.removeData()
		return nil, fmt.Errorf("create socket directory: %w", err)
	}
	if err := owner.chown(c.socketDir); err != nil {
		c.cleanup()
		return nil, err
	}
	if err := c.start(ctx, owner, opts.Log); err != nil {
		c.cleanup()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, owner *osUser, log io.Writer) error {
	args := serverArgs(c.dataDir, c.socketDir, c.portOrDefault())
	for _, kv := range c.settings {
		args = append(args, "-c", kv)
	}
	cmd := exec.Command(c.bin.Tool("postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // a terminal's Ctrl-C goes to pg-flux, which stops the server in order
		Pdeathsig: syscall.SIGQUIT, // and the server goes away if pg-flux is killed outright
	}
	owner.apply(cmd)
	cmd.Env = serverEnv(c.dataDir)
	var out io.Writer = c.output
	if log != nil {
		out = io.MultiWriter(c.output, log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.bin.Tool("postgres"), err)
	}
	c.cmd = cmd
	c.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(c.exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("PostgreSQL server in %s exited during start:\n%s", c.dataDir, strings.TrimSpace(c.output.String()))
		case <-ctx.Done():
			c.kill()
			return ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.kill()
			return fmt.Errorf("PostgreSQL server in %s did not accept connections within 60 s:\n%s", c.dataDir, strings.TrimSpace(c.output.String()))
		}
	}
}

// serverArgs are the postgres arguments of every cluster pg-flux starts:
// a unix socket only, and the settings of a server whose data may be lost
// (no fsync, minimal WAL, no checkpoint during a command).
func serverArgs(dataDir, socketDir string, port int) []string {
	return []string{
		"-D", dataDir,
		"-k", socketDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=",
		"-c", "fsync=off",
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		"-c", "wal_level=minimal",
		"-c", "max_wal_senders=0",
		"-c", "checkpoint_timeout=1h",
		"-c", "max_wal_size=4GB",
		"-c", "max_connections=200",
		"-c", "shared_buffers=32MB",
		"-c", "max_locks_per_transaction=256",
		"-c", "unix_socket_permissions=0777",
		"-c", "logging_collector=off",
	}
}

// CopyStrategy is the CREATE DATABASE option ("" or " STRATEGY FILE_COPY")
// for a server of that major, fsync on or off. From PostgreSQL 15 a new
// database is by default written page by page through the WAL (7.5 MB for
// template0); a file copy takes half the time but costs two checkpoints,
// which are cheap only with fsync off, as on every cluster pg-flux starts
// (serverArgs). Before 15 a file copy is the only way.
func CopyStrategy(major int, fsyncOff bool) string {
	if major >= 15 && fsyncOff {
		return " STRATEGY FILE_COPY"
	}
	return ""
}

// DataDir is the cluster's data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// DSN returns a connection string for a database of the cluster.
func (c *Cluster) DSN(database string) string {
	// The socket directory is the user's (PGFLUX_SHADOW_DIR): it may hold
	// a space.
	conn, _ := dsn.WithDatabase(fmt.Sprintf("host=%s port=%d user=%s sslmode=disable", dsn.QuoteValue(c.socketDir), c.portOrDefault(), Superuser), database)
	return conn
}

// portOrDefault is the server's port: the unix socket's name, and the TCP
// port when settings enable listen_addresses.
func (c *Cluster) portOrDefault() int {
	if c.port == 0 {
		return 5432
	}
	return c.port
}

// Shared reports whether the cluster is a shared server (OpenShared),
// which outlives the command.
func (c *Cluster) Shared() bool { return c.release != nil }

// Major is the server's major version.
func (c *Cluster) Major() int { return c.bin.Major }

// Binaries returns the binaries the cluster runs from.
func (c *Cluster) Binaries() Binaries { return c.bin }

// Stop shuts the server down and, for a throwaway cluster, removes its data.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	if conn := c.TakeSession(); conn != nil {
		conn.Close(context.Background())
	}
	if c.release != nil {
		c.release()
		return nil
	}
	var err error
	if c.cmd != nil && c.cmd.Process != nil {
		sig := syscall.SIGINT // fast shutdown: a kept data directory stays consistent
		if c.throwaway {
			sig = syscall.SIGQUIT // immediate: the data is about to be deleted anyway
		}
		_ = c.cmd.Process.Signal(sig)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.kill()
			err = fmt.Errorf("PostgreSQL server in %s did not stop within 30 s; killed", c.dataDir)
		}
	}
	c.cleanup()
	return err
}

// serverEnv is the environment a server runs with: locale and time zone
// only. Code the schema source runs in the server (a DO block, dblink,
// postgres_fdw) must not find pg-flux's connection settings or credentials
// there (DATABASE_URL, PGPASSWORD, ~/.pgpass): HOME is the data directory
// and the libpq files point into it, where there are none.
func serverEnv(dataDir string) []string {
	env := []string{
		"HOME=" + dataDir,
		"PGPASSFILE=" + filepath.Join(dataDir, "no-pgpass"),
		"PGSERVICEFILE=" + filepath.Join(dataDir, "no-pg_service.conf"),
		"PGSYSCONFDIR=" + dataDir,
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "PATH" || name == "LANG" || name == "LANGUAGE" || name == "TZ" || name == "TMPDIR" || strings.HasPrefix(name, "LC_") {
			env = append(env, kv)
		}
	}
	return env
}

// Restart stops the server and starts it again on the same data directory
// and socket, so connection strings stay valid. With immediate it stops as a
// crash would (no shutdown checkpoint; the start runs crash recovery), which
// is what fault tests inject.
func (c *Cluster) Restart(ctx context.Context, immediate bool) error {
	owner, err := serverUser()
	if err != nil {
		return err
	}
	if c.cmd != nil && c.cmd.Process != nil {
		sig := syscall.SIGINT
		if immediate {
			sig = syscall.SIGQUIT
		}
		_ = c.cmd.Process.Signal(sig)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.kill()
		}
	}
	return c.start(ctx, owner, nil)
}

func (c *Cluster) kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.exited
	}
}

func (c *Cluster) cleanup() {
	if c.socketDir != "" {
		os.RemoveAll(c.socketDir)
	}
	c.removeData()
}

func (c *Cluster) removeData() {
	if c.throwaway {
		os.RemoveAll(filepath.Dir(c.dataDir))
	}
}

// walSegment is the WAL segment size of every cluster pg-flux initialises:
// 1 MB instead of 16. A new data directory is a copy of the template, and
// the template's one WAL segment was 16 of its 42 MB; these clusters
// never need a large one.
const walSegment = "--wal-segsize=1"

// template returns a data directory initialised once for these binaries and
// this owner, creating it under the cache directory if needed.
func template(ctx context.Context, bin Binaries, owner *osUser) (string, error) {
	cache, err := CacheDir()
	if err != nil || (owner.switched && !Reachable(cache)) {
		// The server user must be able to reach the template (root's cache
		// directory usually is private), so use a shared place instead.
		cache = filepath.Join(os.TempDir(), "pg-flux-cache-"+owner.name)
	}
	sum := sha256.Sum256([]byte(bin.Dir + "\x00" + bin.Version + "\x00" + owner.name + "\x00" + walSegment))
	dir := filepath.Join(cache, "templates", fmt.Sprintf("pg%d-%s", bin.Major, hex.EncodeToString(sum[:6])))
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("create template cache: %w", err)
	}
	// Initialise beside the final place and rename, so that concurrent
	// pg-flux processes never see a half-written template.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".initdb-")
	if err != nil {
		return "", fmt.Errorf("create template cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	data := filepath.Join(tmp, "data")
	if err := owner.chown(tmp); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin.Tool("initdb"), "-D", data, "-U", Superuser, "--auth=trust",
		"-N", "--encoding=UTF8", "--locale=C.UTF-8", walSegment)
	owner.apply(cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		// Older or minimal systems may lack the C.UTF-8 locale.
		os.RemoveAll(data)
		cmd = exec.CommandContext(ctx, bin.Tool("initdb"), "-D", data, "-U", Superuser, "--auth=trust",
			"-N", "--encoding=UTF8", "--no-locale", walSegment)
		owner.apply(cmd)
		if out2, err2 := cmd.CombinedOutput(); err2 != nil {
			return "", fmt.Errorf("initdb (%s) failed: %w\n%s\n%s", bin.Dir, err2, out, out2)
		}
	}
	if err := os.Rename(data, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "PG_VERSION")); statErr == nil {
			return dir, nil // another process won the race
		}
		return "", fmt.Errorf("install cluster template: %w", err)
	}
	return dir, nil
}

// osUser is the account the server runs as; nil fields mean "as ourselves".
type osUser struct {
	name     string
	uid, gid uint32
	switched bool
}

// serverUser returns the account to run PostgreSQL as: ourselves, or, when
// running as root, $PGFLUX_SERVER_USER or "nobody".
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		name := strconv.Itoa(os.Geteuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		return &osUser{name: name}, nil
	}
	name := os.Getenv("PGFLUX_SERVER_USER")
	if name == "" {
		name = "nobody"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL cannot run as root and user %q to run it as was not found (set PGFLUX_SERVER_USER): %w", name, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &osUser{name: name, uid: uint32(uid), gid: uint32(gid), switched: true}, nil
}

func (u *osUser) apply(cmd *exec.Cmd) {
	if !u.switched {
		return
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid}
	cmd.Dir = "/"
}

func (u *osUser) chown(path string) error {
	if !u.switched {
		return nil
	}
	if err := os.Chown(path, int(u.uid), int(u.gid)); err != nil {
		return fmt.Errorf("give %s to user %s: %w", path, u.name, err)
	}
	return nil
}

// copyTree copies a data directory, keeping modes, owned by owner.
func copyTree(src, dst string, owner *osUser) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			return owner.chown(target)
		}
		if !info.Mode().IsRegular() {
			return nil // the template has no sockets or links worth copying
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		return owner.chown(target)
	})
}

// Reachable reports whether every directory above path lets other users
// through, so that an unprivileged server user can open it.
func Reachable(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err == nil && fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if dir == filepath.Dir(dir) {
			return true
		}
	}
}

// RunsAsOtherUser reports whether servers are started as a different,
// unprivileged user (pg-flux runs as root).
func RunsAsOtherUser() bool { return os.Geteuid() == 0 }
