package pgtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// The test binaries create and drop thousands of databases, each a few
// hundred files. On a disk file system, creating those files is a large
// part of the suite's system time (ext4 searches its inode bitmaps for
// recently deleted inodes); on a tmpfs it is not. So a test binary keeps its
// server's data and the shadow servers' state on /dev/shm when that is a
// tmpfs with room to spare.
const (
	memoryRoot      = pgserver.MemoryFS
	memoryDirPrefix = "pgflux-test-"
	// minMemoryRoom keeps a small /dev/shm (64 MiB in a default container)
	// out of use: the suite's clusters hold a few hundred MiB at most.
	minMemoryRoom = 4 << 30
)

// memoryDir returns a new directory on root (memoryRoot) for this test
// binary's servers, or "" when $TMPDIR is set (the user chose where
// temporary files go) or root is not a tmpfs with minMemoryRoom free. It
// first removes the directories of test binaries that are gone: one killed
// outright leaves its files in memory.
func memoryDir(root string) string {
	if os.Getenv("TMPDIR") != "" {
		return ""
	}
	if !pgserver.InMemory(root, 0) {
		return ""
	}
	removeDeadMemoryDirs(root)
	if !pgserver.InMemory(root, minMemoryRoom) {
		return ""
	}
	dir, err := os.MkdirTemp(root, memoryDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return ""
	}
	// The server user, not this one, creates the clusters' files in it.
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return ""
	}
	return dir
}

// removeDeadMemoryDirs removes the directories under root whose test
// binary (the pid in the name) no longer runs.
func removeDeadMemoryDirs(root string) {
	dirs, _ := filepath.Glob(filepath.Join(root, memoryDirPrefix+"*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), memoryDirPrefix), "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid > 0 && !pgserver.Alive(pid) {
			os.RemoveAll(d)
		}
	}
}
