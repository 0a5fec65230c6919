package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// A shared server is a cluster kept running between pg-flux commands, one
// per user and major version, so that a command does not pay for starting
// one. Its state directory (SharedRoot()/pg<major>) holds:
//
//	data/          the cluster, kept across restarts
//	sock/          its unix socket (the only way in), mode 0700
//	lock           serialises starting and stopping (flock)
//	active         touched by every command using the server, and every
//	               heartbeat while it does
//	mark, stopping the idle watchdog's state
//	watchdog.pid   the watchdog's process
//	server.log     the server's output since its last start
//
// The idle watchdog is a small POSIX shell loop started beside the server,
// as the same user. It stops the server (fast shutdown) once "active" has
// not changed for the idle period, and exits when the server is gone. The
// race between a command arriving and the watchdog stopping is settled
// without a lock the shell would need: the command touches "active" and
// then looks for "stopping"; the watchdog creates "stopping" and then looks
// at "active" again. At least one of them sees the other.
//
// Nothing depends on a pg-flux process staying alive: a killed command
// leaves a server that idles out, or databases the next command drops
// (see shadow), and a killed or hung server is replaced by the next
// command.

// DefaultIdle is how long a shared server waits for the next command
// before it stops.
const DefaultIdle = 10 * time.Minute

// SharedIdle is the idle period from $PGFLUX_SHADOW_IDLE (a Go duration:
// "10m", "30s"), else DefaultIdle. Zero means no shared server: each
// command starts and removes a throwaway cluster.
func SharedIdle() (time.Duration, error) {
	v := os.Getenv("PGFLUX_SHADOW_IDLE")
	if v == "" {
		return DefaultIdle, nil
	}
	if v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("PGFLUX_SHADOW_IDLE=%q: want a duration such as 10m, or 0 for a throwaway server per command", v)
	}
	return d, nil
}

// SharedRoot is the directory that holds the shared servers' state:
// $PGFLUX_SHADOW_DIR; else MemoryRoot, when there is one; else "shadow"
// under pg-flux's cache directory; else (when the server user cannot
// reach that, as for root's) a directory per user under the temporary
// directory.
func SharedRoot() (string, error) {
	if d := os.Getenv("PGFLUX_SHADOW_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if d := MemoryRoot(); d != "" {
		return d, nil
	}
	return diskRoot(), nil
}

// diskRoot is SharedRoot's choice on disk.
func diskRoot() string {
	if cache, err := CacheDir(); err == nil && (!RunsAsOtherUser() || Reachable(filepath.Join(cache, "shadow"))) {
		return filepath.Join(cache, "shadow")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("pg-flux-shadow-%d", os.Geteuid()))
}

// sharedRoots are the directories SharedRoot may choose, its choice first:
// a server that an earlier command left in another (the memory free then
// was not the same, or an older pg-flux chose otherwise) is found too.
func sharedRoots() ([]string, error) {
	root, err := SharedRoot()
	if err != nil || os.Getenv("PGFLUX_SHADOW_DIR") != "" {
		return []string{root}, err
	}
	roots := []string{root}
	for _, d := range []string{memoryDir(), diskRoot()} {
		if d != root {
			roots = append(roots, d)
		}
	}
	return roots, nil
}

// memoryRoom is the free space a file system in memory needs for the
// shared servers' state to go there: a server holds about 100 MB besides
// its templates, and a template of 1,000 tables takes 60 MB.
const memoryRoom = 2 << 30

// MemoryRoot is the directory per user for the shared servers' state in
// /dev/shm, a file system in memory, when that has memoryRoom free; else
// "". A scratch database is hundreds of files created, copied and dropped
// within one command: in memory that costs a fraction of what it does on
// disk, and nothing there needs to outlive the machine. One that another
// user made is left alone.
func MemoryRoot() string {
	dir := memoryDir()
	room := uint64(memoryRoom)
	if fi, err := os.Lstat(dir); err == nil {
		st, ok := fi.Sys().(*syscall.Stat_t)
		// As root, prepareDirs hands the directory to the server user.
		if !fi.IsDir() || !ok || (st.Uid != uint32(os.Geteuid()) && !RunsAsOtherUser()) {
			return ""
		}
		// Once there, the state stays while it has room to work: commands
		// do not move between two servers as the memory free varies.
		room /= 8
	}
	if !InMemory(filepath.Dir(dir), room) {
		return ""
	}
	return dir
}

// MemoryFS is where Linux mounts a file system in memory (tmpfs) for
// every user.
const MemoryFS = "/dev/shm"

func memoryDir() string {
	return filepath.Join(MemoryFS, fmt.Sprintf("pg-flux-shadow-%d", os.Geteuid()))
}

// tmpfsMagic is the statfs type of a tmpfs file system.
const tmpfsMagic = 0x01021994

// InMemory reports whether dir is on a file system in memory (tmpfs) with
// at least room bytes free.
func InMemory(dir string, room uint64) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == tmpfsMagic && st.Bavail*uint64(st.Bsize) >= room
}

// SharedOptions describe the shared server to use.
type SharedOptions struct {
	Binaries Binaries
	// Root is the state directory; "" means SharedRoot().
	Root string
	// Idle is how long the server waits for the next command; 0 means
	// DefaultIdle.
	Idle time.Duration
}

// OpenShared returns the shared server for the binaries' major version,
// starting it (again) when it is not running or does not answer. Stop on
// the returned cluster only ends this command's use of it.
func OpenShared(ctx context.Context, opts SharedOptions) (*Cluster, error) {
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	if opts.Root == "" {
		if opts.Root, err = SharedRoot(); err != nil {
			return nil, err
		}
	}
	if opts.Idle <= 0 {
		opts.Idle = DefaultIdle
	}
	s := &shared{dir: filepath.Join(opts.Root, fmt.Sprintf("pg%d", opts.Binaries.Major)), bin: opts.Binaries, owner: owner, idle: opts.Idle}
	if err := s.prepareDirs(); err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.touch()
	if err := s.ensureRunning(ctx); err != nil {
		if s.session != nil {
			s.session.Close(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	c := &Cluster{bin: s.bin, dataDir: s.data(), socketDir: s.sock(), output: &bytes.Buffer{}, session: s.session}
	c.release = s.heartbeat()
	return c, nil
}

type shared struct {
	dir   string
	bin   Binaries
	owner *osUser
	idle  time.Duration
	// session is the session on the postgres database that found the
	// server healthy or started (Cluster.TakeSession).
	session *pgx.Conn
}

func (s *shared) data() string { return filepath.Join(s.dir, "data") }
func (s *shared) sock() string { return filepath.Join(s.dir, "sock") }

// prepareDirs creates the state directory, private to the server user.
func (s *shared) prepareDirs() error {
	root := filepath.Dir(s.dir)
	for _, d := range []string{root, s.dir, s.sock()} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			if errors.Is(err, fs.ErrNotExist) {
				err = os.MkdirAll(d, 0o700)
			}
			if err != nil {
				return fmt.Errorf("create the shadow server directory %s: %w; set PGFLUX_SHADOW_DIR to a directory you can write", d, err)
			}
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return fmt.Errorf("shadow server directory: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || !ok {
			return fmt.Errorf("shadow server directory %s is not a directory; remove it or set PGFLUX_SHADOW_DIR", d)
		}
		want := uint32(os.Geteuid())
		if s.owner.switched {
			want = s.owner.uid
		}
		if st.Uid != want {
			if !s.owner.switched || st.Uid != uint32(os.Geteuid()) {
				return fmt.Errorf("shadow server directory %s belongs to another user; remove it or set PGFLUX_SHADOW_DIR", d)
			}
			if err := s.owner.chown(d); err != nil {
				return err
			}
		}
		if fi.Mode().Perm() != 0o700 {
			if err := os.Chmod(d, 0o700); err != nil {
				return fmt.Errorf("shadow server directory: %w", err)
			}
		}
	}
	// The socket's path must fit in sun_path (107 bytes on Linux).
	if n := len(filepath.Join(s.sock(), ".s.PGSQL.5432")); n > 100 {
		return fmt.Errorf("the shadow server's socket path under %s is too long for a unix socket (%d bytes); set PGFLUX_SHADOW_DIR to a shorter directory", s.dir, n)
	}
	return nil
}

// lock takes the state directory's lock, which serialises starting and
// stopping the server. The kernel releases it if pg-flux is killed.
func (s *shared) lock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("shadow server lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("shadow server lock: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// touch records a command's use of the server for the idle watchdog.
func (s *shared) touch() {
	p := filepath.Join(s.dir, "active")
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		if f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			f.Close()
			os.Chtimes(p, now, now)
		}
	}
}

// heartbeat touches "active" while the command runs; the returned function
// ends it.
func (s *shared) heartbeat() func() {
	every := min(30*time.Second, s.idle/3)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				s.touch()
				return
			case <-t.C:
				s.touch()
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// postmasterPID reads the running server's PID from postmaster.pid; 0 when
// there is none or it is not alive.
func postmasterPID(data string) int {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 || !Alive(pid) {
		return 0
	}
	return pid
}

// Alive reports whether a process exists (possibly another user's).
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ensureRunning makes sure a healthy server runs; called with the lock held.
func (s *shared) ensureRunning(ctx context.Context) error {
	// A stop in progress (the watchdog's) finishes, or is called off
	// because this command touched "active" first.
	stopping := filepath.Join(s.dir, "stopping")
	for deadline := time.Now().Add(60 * time.Second); ; {
		if _, err := os.Stat(stopping); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if !s.watchdogAlive() || time.Now().After(deadline) {
			os.Remove(stopping) // the watchdog died half-way
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if s.healthy(ctx) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.kill()
	err := s.start(ctx)
	if err != nil && ctx.Err() == nil {
		// A data directory that does not start (corrupt, or from other
		// binaries) is only a cache: start over from a fresh one.
		s.kill()
		os.RemoveAll(s.data())
		err = s.start(ctx)
	}
	if err != nil {
		return fmt.Errorf("start the shared shadow server in %s: %w", s.dir, err)
	}
	return nil
}

// healthy reports whether the server answers on its socket, runs these
// binaries and is not shutting down. The session that found it so is kept
// in s.session.
func (s *shared) healthy(ctx context.Context) bool {
	if postmasterPID(s.data()) == 0 {
		return false
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, "bindir")); err != nil || string(b) != s.bin.Dir {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c := &Cluster{socketDir: s.sock()}
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return false
	}
	var major int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&major); err != nil || major != s.bin.Major {
		conn.Close(ctx)
		return false
	}
	s.session = conn
	return true
}

// kill ends a server that does not answer, and its watchdog.
func (s *shared) kill() {
	if pid := postmasterPID(s.data()); pid != 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // the server leads its own process group
		_ = syscall.Kill(pid, syscall.SIGKILL)
		for deadline := time.Now().Add(10 * time.Second); Alive(pid) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	s.killWatchdog()
}

func (s *shared) killWatchdog() {
	if pid := s.watchdogPID(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	os.Remove(filepath.Join(s.dir, "watchdog.pid"))
}

// watchdogPID is the idle watchdog's process, 0 when none is recorded.
func (s *shared) watchdogPID() int {
	b, err := os.ReadFile(filepath.Join(s.dir, "watchdog.pid"))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

func (s *shared) watchdogAlive() bool {
	pid := s.watchdogPID()
	return pid > 0 && Alive(pid)
}

// start starts the server detached from this process (its own session, no
// parent-death signal), then its idle watchdog.
func (s *shared) start(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.data(), "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		os.RemoveAll(s.data())
		os.RemoveAll(filepath.Join(s.dir, "data.idle")) // an idle stop's, cut short
		tmpl, err := template(ctx, s.bin, s.owner)
		if err != nil {
			return err
		}
		if err := copyTree(tmpl, s.data(), s.owner); err != nil {
			return fmt.Errorf("copy cluster template: %w", err)
		}
	}
	logPath := filepath.Join(s.dir, "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	if err := s.owner.chown(logPath); err != nil {
		return err
	}
	args := append(serverArgs(s.data(), s.sock(), 5432),
		"-c", "autovacuum=off", // scratch databases are never worth vacuuming
	)
	cmd := exec.Command(s.bin.Tool("postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Env = serverEnv(s.data()) // nothing of pg-flux's environment (DATABASE_URL, PGPASSWORD, HOME) reaches source code
	s.owner.apply(cmd)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin.Tool("postgres"), err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }() // reaped while this process lives; init does it after
	c := &Cluster{socketDir: s.sock()}
	for deadline := time.Now().Add(60 * time.Second); ; {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err == nil {
			s.session = conn
			break
		}
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("PostgreSQL server in %s exited during start:\n%s", s.data(), strings.TrimSpace(string(out)))
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("PostgreSQL server in %s did not accept connections within 60 s:\n%s", s.data(), strings.TrimSpace(string(out)))
		}
	}
	if err := os.WriteFile(filepath.Join(s.dir, "bindir"), []byte(s.bin.Dir), 0o644); err != nil {
		return err
	}
	return s.startWatchdog(cmd.Process.Pid)
}

// watchdogScript stops the server once "active" has not changed for the
// idle period ($3 seconds), and exits when the server ($1) is gone. $2 is
// the state directory. See the comment at the top of this file for how it
// and a command arriving agree.
const watchdogScript = `pid=$1 dir=$2 idle=$3 step=$4 drop=$5 waited=0
touch "$dir/mark"
while kill -0 "$pid" 2>/dev/null; do
	sleep "$step"
	if [ "$dir/active" -nt "$dir/mark" ]; then touch "$dir/mark"; waited=0; continue; fi
	waited=$((waited + step))
	[ "$waited" -lt "$idle" ] && continue
	mkdir "$dir/stopping" 2>/dev/null || continue
	if [ "$dir/active" -nt "$dir/mark" ]; then rmdir "$dir/stopping"; touch "$dir/mark"; waited=0; continue; fi
	kill -INT "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 1; done
	if [ "$drop" = 1 ] && mv "$dir/data" "$dir/data.idle" 2>/dev/null; then rm -rf "$dir/data.idle"; fi
	rm -f "$dir/watchdog.pid"
	rmdir "$dir/stopping"
	exit 0
done
`

func (s *shared) startWatchdog(pid int) error {
	s.killWatchdog()
	idle := int(s.idle.Round(time.Second) / time.Second)
	step := max(min(5, idle/3), 1)
	// In memory, the data directory goes with an idle stop: what the next
	// start copies again costs less than the memory it would hold.
	drop := "0"
	if InMemory(s.dir, 0) {
		drop = "1"
	}
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pg-flux-shadow-watchdog", strconv.Itoa(pid), s.dir, strconv.Itoa(max(idle, 1)), strconv.Itoa(step), drop)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Env = serverEnv(s.data())
	s.owner.apply(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the shadow server's idle watchdog: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return os.WriteFile(filepath.Join(s.dir, "watchdog.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
}

// SharedServer describes one shared server's state, for `pg-flux shadow
// status`.
type SharedServer struct {
	Dir     string
	Major   int
	PID     int // 0 when not running
	Version string
	Bytes   int64 // size of the state directory
	// InMemory says that the state directory is in memory (MemoryRoot):
	// its data goes with an idle stop.
	InMemory bool
}

// SharedServers lists the shared servers under root ("" means every
// directory SharedRoot may choose).
func SharedServers(root string) ([]SharedServer, error) {
	roots := []string{root}
	if root == "" {
		var err error
		if roots, err = sharedRoots(); err != nil {
			return nil, err
		}
	}
	var dirs []string
	for _, r := range roots {
		ds, _ := filepath.Glob(filepath.Join(r, "pg*"))
		sort.Strings(ds)
		dirs = append(dirs, ds...)
	}
	var out []SharedServer
	for _, d := range dirs {
		major, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "pg"))
		if err != nil {
			continue
		}
		sv := SharedServer{Dir: d, Major: major, PID: postmasterPID(filepath.Join(d, "data")), InMemory: InMemory(d, 0)}
		if b, err := os.ReadFile(filepath.Join(d, "data", "PG_VERSION")); err == nil {
			sv.Version = strings.TrimSpace(string(b))
		}
		filepath.WalkDir(d, func(_ string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if fi, err := e.Info(); err == nil {
					sv.Bytes += fi.Size()
				}
			}
			return nil
		})
		out = append(out, sv)
	}
	return out, nil
}

// StopShared stops every shared server under root ("" means every
// directory SharedRoot may choose) and removes their state directories. A
// command still using one fails.
func StopShared(ctx context.Context, root string) ([]SharedServer, error) {
	servers, err := SharedServers(root)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, sv := range servers {
		s := &shared{dir: sv.Dir}
		unlock, err := s.lock(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if pid := postmasterPID(s.data()); pid != 0 {
			_ = syscall.Kill(pid, syscall.SIGINT) // fast shutdown
			for deadline := time.Now().Add(30 * time.Second); Alive(pid) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
		}
		s.kill()
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", s.dir, err))
		}
		unlock()
	}
	return servers, errors.Join(errs...)
}
