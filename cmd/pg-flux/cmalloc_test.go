//go:build linux && cgo

package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// The parser's freed memory goes back to the system: after parses on four
// threads, statement by statement and all at once, the C allocator holds
// little free (up to 128 kB per arena). Without fixMallocThresholds it
// holds 2-32 MB.
func TestParsersFreedMemoryIsReturned(t *testing.T) {
	fixMallocThresholds()
	var sql strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&sql, "CREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', at timestamptz);\n", i)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each on its own thread, as the runtime may run them.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for _, stmt := range strings.SplitAfter(sql.String(), ";\n") {
				if _, err := pg_query.Parse(stmt); err != nil {
					t.Error(err)
				}
			}
			if _, err := pg_query.Parse(sql.String()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if free := cMallocFree(); free > 3<<19 {
		t.Errorf("the C allocator holds %d KiB free after the parses, want under 1.5 MiB", free>>10)
	}
}
