package main

import "strings"

// mallocTuned says whether the environment tunes glibc's malloc
// (GLIBC_TUNABLES' glibc.malloc.*, or the older MALLOC_*_ variables), as
// GOMEMLIMIT tunes the Go heap: pg-flux then keeps its hands off.
func mallocTuned(getenv func(string) string) bool {
	if strings.Contains(getenv("GLIBC_TUNABLES"), "glibc.malloc.") {
		return true
	}
	for _, v := range []string{"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_"} {
		if getenv(v) != "" {
			return true
		}
	}
	return false
}
