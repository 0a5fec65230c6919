package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, memoryFloor},
		{memoryFloor / 2, memoryFloor},
		{memoryFloor, memoryFloor * 3 / 2},
		{200 << 20, 300 << 20},
	} {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("memoryLimit(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// restoreMemoryLimit puts the test process's limit back when t ends.
func restoreMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
}

func TestLimitMemoryFollowsTheLiveHeap(t *testing.T) {
	restoreMemoryLimit(t)
	t.Setenv("GOMEMLIMIT", "")
	ctx, cancel := context.WithCancel(context.Background())
	stopped := limitMemory(ctx)
	t.Cleanup(func() { cancel(); <-stopped }) // before the limit is restored
	if got := debug.SetMemoryLimit(-1); got != memoryFloor {
		t.Fatalf("limit %d right after limitMemory, want the floor %d", got, memoryFloor)
	}
	// A live heap past the floor raises the limit to half again its size.
	held := make([]byte, 2*memoryFloor)
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) < int64(len(held))*3/2 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d with %d bytes live, want at least %d", debug.SetMemoryLimit(-1), len(held), len(held)*3/2)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(held)
}

func TestLimitMemoryLeavesGOMEMLIMITAlone(t *testing.T) {
	restoreMemoryLimit(t)
	t.Setenv("GOMEMLIMIT", "1GiB")
	want := debug.SetMemoryLimit(-1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	limitMemory(ctx)
	time.Sleep(200 * time.Millisecond) // a few of the watcher's ticks, were it running
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("limit %d after limitMemory with GOMEMLIMIT set, want it unchanged (%d)", got, want)
	}
}

func TestMallocTuned(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"GLIBC_TUNABLES": "glibc.rtld.optional_static_tls=512"}, false},
		{map[string]string{"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}, true},
		{map[string]string{"GLIBC_TUNABLES": "glibc.rtld.nns=2:glibc.malloc.arena_max=1"}, true},
		{map[string]string{"MALLOC_ARENA_MAX": "2"}, true},
		{map[string]string{"MALLOC_MMAP_THRESHOLD_": "131072"}, true},
	} {
		if got := mallocTuned(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("mallocTuned(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}
