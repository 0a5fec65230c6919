package pgserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// sharedRoot returns a state directory for a test's shared servers, which
// the server user can reach, and stops what is left there at the end.
func sharedRoot(t *testing.T) string {
	t.Helper()
	return sharedRootIn(t, "")
}

// sharedRootIn is sharedRoot under base ("" for the temporary directory).
func sharedRootIn(t *testing.T, base string) string {
	t.Helper()
	dir, err := os.MkdirTemp(base, "pgflux-shared-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "s")
	t.Cleanup(func() {
		StopShared(context.Background(), root)
		os.RemoveAll(dir)
	})
	return root
}

func ping(t *testing.T, c *Cluster) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

// handsOverItsSession checks that c comes with the session that started or
// checked the server (TakeSession), working, and only once.
func handsOverItsSession(t *testing.T, c *Cluster) {
	t.Helper()
	ctx := context.Background()
	conn := c.TakeSession()
	if conn == nil {
		t.Fatal("OpenShared kept no session")
	}
	defer conn.Close(ctx)
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db != "postgres" {
		t.Fatalf("the session handed over: database %q, %v", db, err)
	}
	if c.TakeSession() != nil {
		t.Error("the session was handed over twice")
	}
}

// processesUnder lists the processes whose command line mentions dir.
func processesUnder(dir string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if line := strings.ReplaceAll(string(b), "\x00", " "); strings.Contains(line, dir) {
			out = append(out, e.Name()+": "+line)
		}
	}
	return out
}

// TestSharedServer: a second command finds the server the first started; a
// server killed with SIGKILL is replaced by the next command; stop leaves
// nothing running and nothing on disk.
func TestSharedServer(t *testing.T) {
	bin := binaries(t)
	ctx := context.Background()
	root := sharedRoot(t)
	opts := SharedOptions{Binaries: bin, Root: root}

	c, err := OpenShared(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ping(t, c)
	handsOverItsSession(t, c) // the one that waited for the start
	dir := filepath.Join(root, "pg"+itoa(bin.Major))
	first := postmasterPID(filepath.Join(dir, "data"))
	if first == 0 {
		t.Fatal("no postmaster running after OpenShared")
	}
	if err := c.Stop(); err != nil { // ends this use only
		t.Fatal(err)
	}
	if !Alive(first) {
		t.Fatal("Stop on a shared server stopped the server")
	}
	fi, err := os.Stat(filepath.Join(dir, "sock"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}

	start := time.Now()
	c, err = OpenShared(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ping(t, c)
	if pid := postmasterPID(filepath.Join(dir, "data")); pid != first {
		t.Fatalf("second OpenShared: postmaster %d, want the running %d", pid, first)
	}
	t.Logf("reused the running server in %v", time.Since(start))
	handsOverItsSession(t, c) // the health check's
	c.Stop()

	// Killed outright (and its children with it).
	syscall.Kill(-first, syscall.SIGKILL)
	syscall.Kill(first, syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); Alive(first) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	c, err = OpenShared(ctx, opts)
	if err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	ping(t, c)
	second := postmasterPID(filepath.Join(dir, "data"))
	if second == 0 || second == first {
		t.Fatalf("after SIGKILL: postmaster %d, want a new one", second)
	}
	c.Stop()

	stopped, err := StopShared(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(stopped) != 1 {
		t.Fatalf("StopShared stopped %d servers, want 1", len(stopped))
	}
	time.Sleep(100 * time.Millisecond)
	if left := processesUnder(root); len(left) > 0 {
		t.Fatalf("processes left after StopShared:\n%s", strings.Join(left, "\n"))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s left after StopShared: %v", dir, err)
	}
}

// TestSharedServerIdles: the watchdog stops a server nobody used for the
// idle period, and exits; the next command starts it again.
func TestSharedServerIdles(t *testing.T) {
	testIdleStop(t, sharedRoot(t), true)
}

// TestSharedServerIdlesInMemory: in memory, an idle stop removes the data
// directory too, and the next command starts a fresh one.
func TestSharedServerIdlesInMemory(t *testing.T) {
	if !InMemory(MemoryFS, 0) {
		t.Fatal(MemoryFS + " is not a file system in memory (tmpfs) here")
	}
	testIdleStop(t, sharedRootIn(t, MemoryFS), false)
}

// TestMemoryRoot: the shared servers' state goes in /dev/shm when that is
// a file system in memory with room, and nowhere else.
func TestMemoryRoot(t *testing.T) {
	if !InMemory(MemoryFS, 0) {
		t.Fatal(MemoryFS + " is not a file system in memory (tmpfs) here")
	}
	if InMemory(MemoryFS, 1<<62) {
		t.Error("InMemory: room for 4 EiB in " + MemoryFS)
	}
	if InMemory("/proc", 0) {
		t.Error("InMemory: /proc is not tmpfs")
	}
	want := ""
	if InMemory(MemoryFS, memoryRoom) {
		want = filepath.Join(MemoryFS, "pg-flux-shadow-"+itoa(os.Geteuid()))
	}
	if got := MemoryRoot(); got != want {
		t.Errorf("MemoryRoot() = %q, want %q", got, want)
	}
	t.Setenv("PGFLUX_SHADOW_DIR", "")
	if got, err := SharedRoot(); err != nil || want != "" && got != want {
		t.Errorf("SharedRoot() = %q, %v; want %q", got, err, want)
	}
}

// testIdleStop: a server under root stops once idle, keeping its data
// directory or not, and the next command starts it again.
func testIdleStop(t *testing.T, root string, keepsData bool) {
	bin := binaries(t)
	ctx := context.Background()
	opts := SharedOptions{Binaries: bin, Root: root, Idle: 2 * time.Second}
	c, err := OpenShared(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ping(t, c)
	data := filepath.Join(root, "pg"+itoa(bin.Major), "data")
	pid := postmasterPID(data)
	// While a command uses it, its heartbeat keeps the server up.
	time.Sleep(4 * time.Second)
	if !Alive(pid) {
		t.Fatal("the server stopped while a command was using it")
	}
	c.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for Alive(pid) || len(processesUnder(root)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("still running 30 s after the last use with a 2 s idle period:\n%s", strings.Join(processesUnder(root), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, err = os.Stat(data)
	if keepsData && err != nil {
		t.Errorf("an idle stop on disk should keep the data directory: %v", err)
	}
	if !keepsData && err == nil {
		t.Error("an idle stop in memory should remove the data directory")
	}
	if _, err := os.Stat(data + ".idle"); err == nil {
		t.Error("an idle stop left data.idle behind")
	}
	c, err = OpenShared(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ping(t, c)
	c.Stop()
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCommandWaitsForTheIdleStop: a command that arrives while the idle
// watchdog stops the server ("stopping" there) waits until the watchdog is
// done, not only until the server has exited: in memory the watchdog then
// removes the data directory. A watchdog that died half-way does not hold
// it up.
func TestCommandWaitsForTheIdleStop(t *testing.T) {
	bin := binaries(t)
	ctx := context.Background()
	root := sharedRoot(t)
	opts := SharedOptions{Binaries: bin, Root: root, Idle: time.Hour}
	s := &shared{dir: filepath.Join(root, "pg"+itoa(bin.Major))}
	// stopped leaves the server stopped as a watchdog mid-stop does: the
	// server gone, "stopping" there, and watchdog the stand-in's process.
	stopped := func(watchdog *exec.Cmd) {
		t.Helper()
		c, err := OpenShared(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		ping(t, c)
		c.Stop()
		pid := postmasterPID(s.data())
		s.killWatchdog()
		_ = syscall.Kill(pid, syscall.SIGINT)
		for deadline := time.Now().Add(30 * time.Second); Alive(pid); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the server did not stop")
			}
		}
		if err := os.Mkdir(filepath.Join(s.dir, "stopping"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.dir, "watchdog.pid"), []byte(itoa(watchdog.Process.Pid)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := func() <-chan error {
		done := make(chan error, 1)
		go func() {
			c, err := OpenShared(ctx, opts)
			if err == nil {
				c.Stop()
			}
			done <- err
		}()
		return done
	}

	busy := exec.Command("sleep", "60")
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Process.Kill(); busy.Wait() })
	stopped(busy)
	done := open()
	select {
	case err := <-done:
		t.Fatalf("the command went on while the watchdog was stopping the server (%v)", err)
	case <-time.After(time.Second):
	}
	// The watchdog finishes as the script does.
	os.Remove(filepath.Join(s.dir, "watchdog.pid"))
	os.Remove(filepath.Join(s.dir, "stopping"))
	busy.Process.Kill()
	busy.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stopped(dead)
	select {
	case err := <-open():
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a watchdog that died half-way held the command up")
	}
}

// A state directory that cannot be used is an error that says how to
// choose another, whatever is wrong with it.
func TestSharedDirProblemsNameTheSetting(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(base, strings.Repeat("d", 100))
	me := &osUser{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}
	for _, tc := range []struct{ name, dir, want string }{
		{"under a file", filepath.Join(file, "pg-flux", "17"), "create the shadow server directory"},
		{"a file", file, "is not a directory"},
		{"too long a socket path", filepath.Join(long, "17"), "too long for a unix socket"},
	} {
		err := (&shared{dir: tc.dir, owner: me}).prepareDirs()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "PGFLUX_SHADOW_DIR") {
			t.Errorf("%s: %v; want an error saying %q and naming PGFLUX_SHADOW_DIR", tc.name, err, tc.want)
		}
	}
}

// TestSharedServerUnderAPathWithASpace: the state directory is the user's
// (PGFLUX_SHADOW_DIR, or under their cache directory) and may hold a
// space; the connection string quotes the socket directory.
func TestSharedServerUnderAPathWithASpace(t *testing.T) {
	bin := binaries(t)
	base := sharedRootIn(t, "")
	spaced := filepath.Join(filepath.Dir(base), "my cache")
	if err := os.Mkdir(spaced, 0o755); err != nil { // open to the server's user, as sharedRootIn's
		t.Fatal(err)
	}
	root := filepath.Join(spaced, "s")
	t.Cleanup(func() { StopShared(context.Background(), root) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := OpenShared(ctx, SharedOptions{Binaries: bin, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	ping(t, c)
}
