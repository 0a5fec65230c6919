package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"
)

// memoryFloor is the soft limit on the Go runtime's memory (heap, stacks
// and their metadata; not the binary's mapped pages) while the live heap is
// small enough for it.
//
// A command's peak memory is mostly headroom: with the default GOGC the heap
// grows to twice what is live before it is collected, and a command holds
// up to three catalog models at once (about 3-5 MB each on 1,000 tables,
// 20 MB live at most). Below the floor the heap is collected before it
// grows past it. On 1,000 tables 30 MiB peaks 5-6 MiB lower than 36 did,
// in the same time; lower floors gain nothing (the live heap's half again
// sets the limit then) and cost time (bench/speed, BENCHMARKS.md).
const memoryFloor = 30 << 20

// memoryLimit is the soft limit for a live heap of live bytes: the floor,
// or half again the live heap, so that a large schema's heap is not
// collected over and over against a limit it cannot fit under.
func memoryLimit(live uint64) int64 {
	return max(memoryFloor, int64(live)*3/2)
}

// limitMemory keeps the soft memory limit at memoryLimit of the live heap,
// as measured by the last collection, until ctx is done; the channel is
// closed once it no longer changes the limit. A GOMEMLIMIT set by the user
// is left alone.
func limitMemory(ctx context.Context) <-chan struct{} {
	stopped := make(chan struct{})
	if os.Getenv("GOMEMLIMIT") != "" {
		close(stopped)
		return stopped
	}
	limit := memoryLimit(0)
	debug.SetMemoryLimit(limit)
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return // not measured by this runtime: the floor stays
			}
			if l := memoryLimit(sample[0].Value.Uint64()); l != limit {
				limit = l
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return stopped
}

// mallocTuned says whether the environment tunes glibc's malloc
// (GLIBC_TUNABLES' glibc.malloc.*, or the older MALLOC_*_ variables): then,
// as with GOMEMLIMIT for the Go heap, returnFreedCMemory leaves it alone.
func mallocTuned(getenv func(string) string) bool {
	if strings.Contains(getenv("GLIBC_TUNABLES"), "glibc.malloc.") {
		return true
	}
	for _, v := range []string{"MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"} {
		if getenv(v) != "" {
			return true
		}
	}
	return false
}
