//go:build linux && cgo

package main

/*
#include <malloc.h>

// The parser (libpg_query, C) allocates its parse trees in memory contexts
// of blocks that double up to megabytes, on whichever threads the Go
// runtime runs it, and frees them after each statement. glibc keeps freed
// memory in each thread's arena and, once a large block has been freed,
// raises its thresholds for giving memory back to the system: on 1,000
// tables four arenas held about 2 MB each, free, for the rest of the
// command. Fixed thresholds keep the large blocks in their own mappings,
// unmapped when freed, and trim an arena's free top past 128 kB.
static void pgflux_return_freed_memory(void) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

// Free bytes the C allocator holds in all its arenas (0 where not known).
static size_t pgflux_malloc_free(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	return mi.fordblks;
#else
	return 0;
#endif
}
*/
import "C"

import "os"

// returnFreedCMemory has the C allocator give the parser's freed memory
// back to the system rather than keep it for the rest of the command. A
// malloc tuning set by the user is left alone.
func returnFreedCMemory() {
	if !mallocTuned(os.Getenv) {
		fixMallocThresholds()
	}
}

// fixMallocThresholds sets the thresholds returnFreedCMemory describes.
func fixMallocThresholds() { C.pgflux_return_freed_memory() }

// cMallocFree is the memory the C allocator holds free, in bytes: what
// TestParsersFreedMemoryIsReturned measures (tests cannot use cgo).
func cMallocFree() uint64 { return uint64(C.pgflux_malloc_free()) }
