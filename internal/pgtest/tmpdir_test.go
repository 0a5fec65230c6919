package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestMemoryDirLeavesTMPDIRAlone(t *testing.T) {
	t.Setenv("TMPDIR", os.TempDir())
	if got := memoryDir(memoryRoot); got != "" {
		os.RemoveAll(got)
		t.Errorf("memoryDir with TMPDIR set = %q, want \"\": the user's choice of temporary directory comes first", got)
	}
}

func TestRemoveDeadMemoryDirs(t *testing.T) {
	root := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(root, memoryDirPrefix+strconv.Itoa(dead.Process.Pid)+"-1")
	alive := filepath.Join(root, memoryDirPrefix+strconv.Itoa(os.Getpid())+"-2")
	other := filepath.Join(root, "pgflux-testdata")
	for _, d := range []string{gone, alive, other} {
		if err := os.MkdirAll(filepath.Join(d, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeDeadMemoryDirs(root)
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Errorf("%s (its process is gone) was kept", gone)
	}
	for _, d := range []string{alive, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
}
